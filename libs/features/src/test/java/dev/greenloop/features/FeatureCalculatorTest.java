package dev.greenloop.features;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.events.json.EventJson;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class FeatureCalculatorTest {

    static final FeatureSpec SPEC = FeatureSpec.V1;
    static final FeatureCalculator CALC = new FeatureCalculator(SPEC);
    /** 12:00 UTC; the window under test is [12:00, 12:01). */
    static final long T = Instant.parse("2026-06-21T12:00:00Z").toEpochMilli();
    static final long MIN = 60_000L;

    static RawReading r(Signal s, long at, double v) {
        return new RawReading(s, at, v);
    }

    static double f(double[] vector, String name) {
        int i = SPEC.names().indexOf(name);
        assertThat(i).as(name).isNotNegative();
        return vector[i];
    }

    @Test
    void namesAreUniqueAndTheExportedSpecMatches() throws Exception {
        assertThat(SPEC.names()).hasSize(149).doesNotHaveDuplicates();
        assertThat(new HashSet<>(SPEC.names())).contains("air_temperature_last", "co2_lag_60m",
                "relative_humidity_rolling_mean_15m", "vpd_kpa", "time_of_day_cos", "lamps_missing", "par_fault");
        assertThat(SPEC.lookbackWindows()).isEqualTo(76);
        try (InputStream in = FeatureSpec.class.getResourceAsStream("feature-spec-v1.json")) {
            assertThat(in).as("feature-spec-v1.json; regenerate with FeatureSpecExport").isNotNull();
            JsonNode exported = EventJson.mapper().readTree(in);
            JsonNode expected = EventJson.mapper().valueToTree(SPEC.describe());
            // Compared as text: numbers read back as ints, written from longs.
            assertThat(exported.toString()).isEqualTo(expected.toString());
        }
    }

    @Test
    void windowStatisticsOfTheCurrentWindow() {
        double[] v = CALC.compute(T, List.of(
                r(Signal.AIR_TEMPERATURE, T + 10_000, 21.0),
                r(Signal.AIR_TEMPERATURE, T + 50_000, 21.5),
                r(Signal.AIR_TEMPERATURE, T + 30_000, 22.0),
                r(Signal.CO2, T + 5_000, 600)));

        assertThat(f(v, "air_temperature_last")).isEqualTo(21.5);
        assertThat(f(v, "air_temperature_mean")).isCloseTo(21.5, within(1e-9));
        assertThat(f(v, "air_temperature_min")).isEqualTo(21.0);
        assertThat(f(v, "air_temperature_max")).isEqualTo(22.0);
        assertThat(f(v, "co2_mean")).isEqualTo(600.0);
        assertThat(f(v, "air_temperature_missing")).isZero();
        assertThat(f(v, "par_missing")).isEqualTo(1.0);
        assertThat(f(v, "par_mean")).isNaN();
    }

    @Test
    void forwardFillsUpToFiveWindowsThenReportsMissing() {
        List<RawReading> readings = List.of(r(Signal.CO2, T - 3 * MIN + 1_000, 500), r(Signal.CO2, T - 3 * MIN + 31_000, 520),
                r(Signal.PAR, T - 6 * MIN, 300));

        double[] v = CALC.compute(T, readings);

        assertThat(f(v, "co2_last")).isEqualTo(520.0);
        assertThat(f(v, "co2_mean")).isEqualTo(520.0);
        assertThat(f(v, "co2_min")).isEqualTo(520.0);
        assertThat(f(v, "co2_missing")).isZero();
        assertThat(f(v, "par_mean")).isNaN();
        assertThat(f(v, "par_missing")).isEqualTo(1.0);
    }

    @Test
    void lagsAndRollingMeansFollowTheWindowMeans() {
        List<RawReading> ramp = new ArrayList<>();
        for (int m = 0; m < 70; m++) {
            ramp.add(r(Signal.PIPE_TEMPERATURE, T - m * MIN + 30_000, 60 - m * 0.1));
        }

        double[] v = CALC.compute(T, ramp);

        assertThat(f(v, "pipe_temperature_lag_5m")).isCloseTo(59.5, within(1e-9));
        assertThat(f(v, "pipe_temperature_lag_15m")).isCloseTo(58.5, within(1e-9));
        assertThat(f(v, "pipe_temperature_lag_60m")).isCloseTo(54.0, within(1e-9));
        assertThat(f(v, "pipe_temperature_rolling_mean_5m")).isCloseTo(59.8, within(1e-9));
        assertThat(f(v, "pipe_temperature_rolling_mean_60m")).isCloseTo(57.05, within(1e-9));
    }

    @Test
    void spikesAreLeftOutAndFlagged() {
        double[] v = CALC.compute(T, List.of(r(Signal.AIR_TEMPERATURE, T - 50_000, 21.0),
                r(Signal.AIR_TEMPERATURE, T + 10_000, 21.2), r(Signal.AIR_TEMPERATURE, T + 20_000, 35.0),
                r(Signal.AIR_TEMPERATURE, T + 30_000, 21.4)));

        assertThat(f(v, "air_temperature_max")).isEqualTo(21.4);
        assertThat(f(v, "air_temperature_mean")).isCloseTo(21.3, within(1e-9));
        assertThat(f(v, "air_temperature_fault")).isEqualTo(1.0);
        assertThat(f(v, "co2_fault")).isZero();
    }

    @Test
    void aStuckSensorIsFlaggedButKept() {
        List<RawReading> flat = new ArrayList<>();
        for (int m = 0; m <= 31; m++) {
            flat.add(r(Signal.RELATIVE_HUMIDITY, T - m * MIN + 20_000, 71.0));
        }
        List<RawReading> moving = new ArrayList<>(flat);
        moving.set(10, r(Signal.RELATIVE_HUMIDITY, T - 10 * MIN + 20_000, 71.5));

        assertThat(f(CALC.compute(T, flat), "relative_humidity_fault")).isEqualTo(1.0);
        assertThat(f(CALC.compute(T, flat), "relative_humidity_mean")).isEqualTo(71.0);
        assertThat(f(CALC.compute(T, moving), "relative_humidity_fault")).isZero();
    }

    @Test
    void theLastOfTwoReadingsWithTheSameSignalAndTimeWins() {
        double[] v = CALC.compute(T, List.of(r(Signal.CO2, T + 1_000, 500), r(Signal.CO2, T + 1_000, 700)));

        assertThat(f(v, "co2_mean")).isEqualTo(700.0);
        assertThat(f(v, "co2_max")).isEqualTo(700.0);
    }

    @Test
    void derivedPhysicsAndTimeOfDay() {
        long sixAm = Instant.parse("2026-06-21T05:59:00Z").toEpochMilli();
        double[] v = CALC.compute(sixAm, List.of(r(Signal.AIR_TEMPERATURE, sixAm + 1_000, 20.0),
                r(Signal.RELATIVE_HUMIDITY, sixAm + 1_000, 50.0)));

        assertThat(f(v, "vpd_kpa")).isCloseTo(1.168, within(0.005));
        assertThat(f(v, "dew_point_c")).isCloseTo(9.26, within(0.05));
        assertThat(f(v, "absolute_humidity_gm3")).isCloseTo(8.64, within(0.05));
        assertThat(f(v, "time_of_day_sin")).isCloseTo(1.0, within(1e-9));
        assertThat(f(v, "time_of_day_cos")).isCloseTo(0.0, within(1e-9));
    }

    @Test
    void targetsAreTheMeanOfTheWindowAtTheHorizonAndNeverFilled() {
        List<RawReading> readings = List.of(r(Signal.AIR_TEMPERATURE, T + 15 * MIN + 10_000, 24.0),
                r(Signal.AIR_TEMPERATURE, T + 15 * MIN + 40_000, 25.0), r(Signal.CO2, T + 14 * MIN, 800));

        double[] targets = CALC.targets(T, 15, readings);

        assertThat(SPEC.targetNames(15)).containsExactly("target_air_temperature_15m",
                "target_relative_humidity_15m", "target_co2_15m");
        assertThat(targets[0]).isEqualTo(24.5);
        assertThat(targets[1]).isNaN();
        assertThat(targets[2]).isNaN();
    }

    @Test
    void unalignedWindowIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CALC.compute(T + 1, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void describeIsWhatTheTrainerReads() {
        Map<String, Object> doc = SPEC.describe();

        assertThat(doc).containsEntry("version", "v1").containsEntry("windowSeconds", 60L)
                .containsEntry("lookbackMinutes", 76L);
        assertThat(doc.get("features")).isEqualTo(SPEC.names());
    }
}
