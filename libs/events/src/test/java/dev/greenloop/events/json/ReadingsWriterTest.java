package dev.greenloop.events.json;

import dev.greenloop.events.TestEvents;
import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.ActuatorState;
import dev.greenloop.events.payload.Reading;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.events.payload.SensorKind;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The streaming writer against the mapper's bean serialiser ({@code writeValueAsBytes}, as before): the same bytes. */
class ReadingsWriterTest {

    private static final double[] VALUES = {0.0, -0.0, 21.5, -12.25, 1e-7, 123456.789, 1e9 - 1, 0.1 + 0.2, 3.0, -1e9,
            4.9e-324, Math.PI};
    private static final String[] UNITS = {"degC", "%", "ppm", "umol/m2/s", "°C", "a\"b", "back\\slash", "\uD83D\uDE00",
            "</script>", "µmol"};

    @Test
    void theContractsExampleIsWrittenAsTheMapperWritesIt() throws Exception {
        ReadingsBatch batch = TestEvents.readingsBatch();
        assertThat(ReadingsWriter.write(batch)).isEqualTo(EventJson.mapper().writeValueAsBytes(batch));
    }

    @Test
    void randomBatchesAreWrittenAsTheMapperWritesThem() throws Exception {
        Random random = new Random(7);
        for (int round = 0; round < 500; round++) {
            Instant base = Instant.ofEpochSecond(1_700_000_000L + random.nextInt(100_000_000),
                    random.nextBoolean() ? 0 : random.nextInt(1_000_000_000));
            List<Reading> readings = new ArrayList<>();
            for (int i = random.nextInt(6); i > 0; i--) {
                readings.add(new Reading(SensorKind.values()[random.nextInt(SensorKind.values().length)], value(random),
                        UNITS[random.nextInt(UNITS.length)], base.plusMillis(random.nextInt(3) * 1500L)));
            }
            List<ActuatorState> actuators = new ArrayList<>();
            for (int i = readings.isEmpty() ? 1 + random.nextInt(3) : random.nextInt(3); i > 0; i--) {
                actuators.add(new ActuatorState(ActuatorKind.values()[random.nextInt(ActuatorKind.values().length)],
                        value(random), UNITS[random.nextInt(UNITS.length)], base.plusSeconds(random.nextInt(2))));
            }
            ReadingsBatch batch = new ReadingsBatch("gh-" + round, "zone.a:" + round, "dev_" + round, readings, actuators);
            byte[] written = ReadingsWriter.write(batch);
            byte[] mapped = EventJson.mapper().writeValueAsBytes(batch);
            assertThat(new String(written, StandardCharsets.UTF_8)).as("round %d", round)
                    .isEqualTo(new String(mapped, StandardCharsets.UTF_8));
            assertThat(written).as("round %d", round).isEqualTo(mapped);
        }
    }

    @Test
    void whatItWritesReadsBackEqual() {
        ReadingsBatch batch = TestEvents.readingsBatch();
        assertThat(PayloadCodec.<ReadingsBatch>read(dev.greenloop.events.EventType.SENSOR_READINGS,
                PayloadCodec.write(batch))).isEqualTo(batch);
    }

    private static double value(Random random) {
        return random.nextInt(3) == 0 ? VALUES[random.nextInt(VALUES.length)] : (random.nextDouble() - 0.5) * 2_000;
    }
}
