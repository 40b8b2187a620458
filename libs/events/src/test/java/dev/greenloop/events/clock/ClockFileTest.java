package dev.greenloop.events.clock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClockFileTest {

    private static final Clock REAL = Clock.fixed(Instant.parse("2026-12-03T10:00:00Z"), ZoneOffset.UTC);

    @Test
    void aReaderFollowsTheWriterAndItsFallbackInRealTime(@TempDir Path dir) {
        Path path = dir.resolve("clock");
        try (ClockFile writer = ClockFile.create(path); ClockFile reader = ClockFile.open(path)) {
            Clock clock = reader.clock(REAL);
            assertThat(clock.instant()).as("no simulation yet").isEqualTo(REAL.instant());

            writer.set(Instant.parse("2026-12-03T10:05:00Z"));
            assertThat(clock.instant()).isEqualTo(Instant.parse("2026-12-03T10:05:00Z"));
            assertThat(Instant.now(clock)).isEqualTo(Instant.parse("2026-12-03T10:05:00Z"));
            writer.set(Instant.parse("2026-12-04T00:00:00.250Z"));
            assertThat(clock.millis()).isEqualTo(Instant.parse("2026-12-04T00:00:00.250Z").toEpochMilli());
            assertThat(reader.simulated()).contains(Instant.parse("2026-12-04T00:00:00.250Z"));

            writer.release();
            assertThat(clock.instant()).isEqualTo(REAL.instant());
            assertThat(reader.simulated()).isEmpty();
        }
    }

    @Test
    void aFileThatIsNoClockIsRefusedAndSoIsTheEpoch(@TempDir Path dir) throws Exception {
        Path empty = Files.createFile(dir.resolve("empty"));
        assertThatThrownBy(() -> ClockFile.open(empty)).hasMessageContaining("not a clock file");
        assertThatThrownBy(() -> ClockFile.open(dir.resolve("missing"))).hasMessageContaining("missing");
        try (ClockFile writer = ClockFile.create(dir.resolve("clock"))) {
            assertThatThrownBy(() -> writer.set(Instant.EPOCH)).hasMessageContaining("after the epoch");
        }
    }
}
