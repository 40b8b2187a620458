package dev.greenloop.local;

import dev.greenloop.simulator.WeatherFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code --weather}: the demo refuses, before it starts anything, a file that cannot carry its run. */
class DemoWeatherTest {

    private static final Path SAMPLE = Path.of("weather/sample.csv");

    @Test
    void theSampleCarriesTheDefaultRun() {
        Demo.Options options = Demo.Options.parse(new String[] {"demo", "--weather=" + SAMPLE});
        assertThat(options.weather()).isEqualTo(SAMPLE);
        assertThat(Demo.weatherFor(SAMPLE, options).rows()).isEqualTo(7 * 24 * 6 + 1);
    }

    @Test
    void aFileShorterThanTheRunIsRefusedWithWhatItNeeds() {
        Demo.Options week = Demo.Options.parse(new String[] {"demo", "--days=7", "--weather=" + SAMPLE});
        assertThatThrownBy(() -> Demo.weatherFor(SAMPLE, week)).isInstanceOf(WeatherFileException.class)
                .hasMessageContaining("--days=7 and a live phase of 24 h need 216 h of weather");
    }

    @Test
    void aFileThatDoesNotBeginAtMidnightIsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("late.csv");
        Files.writeString(file, "time,outside_temperature,relative_humidity,global_radiation,wind_speed\n"
                + "2026-06-01T06:00:00Z,10,80,0,2\n2026-06-01T07:00:00Z,12,70,100,4\n");
        Demo.Options options = new Demo.Options(1, 1, Duration.ofHours(3), 60, dir, true, "air_temperature", 1,
                Duration.ofMinutes(6), file, true, true, 0);
        assertThatThrownBy(() -> Demo.weatherFor(file, options)).hasMessageContaining("it must be at 00:00 UTC");
    }

    @Test
    void theLivePhaseIsGivenInSimulatedHours() {
        Demo.Options defaults = Demo.Options.parse(new String[] {"demo"});
        assertThat(defaults.live()).isEqualTo(Duration.ofHours(24));
        assertThat(defaults.baseline()).isTrue();
        assertThat(defaults.closedLoopGate()).isTrue();
        assertThat(defaults.searchSeconds()).isEqualTo(60);
        Demo.Options short6 = Demo.Options.parse(new String[] {"demo", "--live-hours=6", "--baseline=false",
                "--closed-loop-gate=false", "--search-seconds=0"});
        assertThat(short6.searchSeconds()).isZero();
        assertThat(short6.live()).isEqualTo(Duration.ofHours(6));
        assertThat(short6.baseline()).isFalse();
        assertThat(short6.closedLoopGate()).isFalse();
        assertThatThrownBy(() -> Demo.Options.parse(new String[] {"demo", "--live-minutes=3"}))
                .hasMessageContaining("unknown option --live-minutes").hasMessageContaining("--live-hours=N");
        assertThatThrownBy(() -> Demo.Options.parse(new String[] {"demo", "--live-hours=0"}))
                .hasMessageContaining("must be 1 to 336");
    }
}
