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

    /** The version preprocess computes; it starts with V1's features, so V1's cases hold for it too. */
    static final FeatureSpec SPEC = FeatureSpec.CURRENT;
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
    void namesAreUniqueAndTheExportedSpecsMatch() throws Exception {
        assertThat(FeatureSpec.V1.names()).hasSize(149).doesNotHaveDuplicates();
        assertThat(new HashSet<>(FeatureSpec.V1.names())).contains("air_temperature_last", "co2_lag_60m",
                "relative_humidity_rolling_mean_15m", "vpd_kpa", "time_of_day_cos", "lamps_missing", "par_fault");
        assertThat(FeatureSpec.V2.names()).hasSize(149 + 12 * 3 + 6).doesNotHaveDuplicates()
                .startsWith(FeatureSpec.V1.names().toArray(String[]::new))
                .contains("vent_opening_change_5m", "outside_temperature_change_60m", "global_radiation_change_15m",
                        "indoor_outdoor_temperature_difference_c", "transmitted_radiation_wm2");
        for (FeatureSpec spec : FeatureSpec.all()) {
            // The changes reach no further back than the lags: the online lookback cache is unchanged.
            assertThat(spec.lookbackWindows()).as(spec.version()).isEqualTo(76);
            assertThat(spec.names().get(spec.missingIndex(Signal.AIR_TEMPERATURE))).isEqualTo("air_temperature_missing");
            assertThat(spec.names().get(spec.missingIndex(Signal.LAMPS))).isEqualTo("lamps_missing");
            String file = FeatureSpecExport.fileName(spec);
            try (InputStream in = FeatureSpec.class.getResourceAsStream(file)) {
                assertThat(in).as(file + "; regenerate with FeatureSpecExport").isNotNull();
                JsonNode exported = EventJson.mapper().readTree(in);
                JsonNode expected = EventJson.mapper().valueToTree(spec.describe());
                // Compared as text: numbers read back as ints, written from longs.
                assertThat(exported.toString()).as(file + " is stale; regenerate with FeatureSpecExport").isEqualTo(expected.toString());
            }
        }
        assertThat(FeatureSpec.of("v2")).contains(FeatureSpec.V2);
        assertThat(FeatureSpec.of("v3")).isEmpty();
    }

    @Test
    void aLaterVersionExtendsAnEarlierOneNotTheOtherWayRound() {
        assertThat(FeatureSpec.V2.extendsSpec(FeatureSpec.V1)).isTrue();
        assertThat(FeatureSpec.V2.extendsSpec(FeatureSpec.V2)).isTrue();
        assertThat(FeatureSpec.V1.extendsSpec(FeatureSpec.V2)).isFalse();
        assertThat(FeatureSpec.V2.describe()).containsEntry("extends", "v1");
        assertThat(FeatureSpec.V1.describe()).doesNotContainKey("extends");
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "seed {0}")
    @org.junit.jupiter.params.provider.ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void aV2VectorStartsWithTheV1VectorOfTheSameReadings(long seed) {
        java.util.Random random = new java.util.Random(seed);
        List<RawReading> history = ZoneStreams.history(random, T - SPEC.lookback().toMillis(), T + MIN, 600);

        double[] v1 = new FeatureCalculator(FeatureSpec.V1).compute(T, history);
        double[] v2 = new FeatureCalculator(FeatureSpec.V2).compute(T, history);

        assertThat(java.util.Arrays.copyOf(v2, v1.length)).containsExactly(v1);
    }

    @Test
    void changesAndExchangesFollowTheWindowMeans() {
        List<RawReading> readings = new ArrayList<>();
        for (int m = 0; m < 70; m++) {
            long at = T - m * MIN + 30_000;
            readings.add(r(Signal.VENT_OPENING, at, 50 - m * 0.5));
            readings.add(r(Signal.OUTSIDE_TEMPERATURE, at, 10 - m * 0.1));
        }
        readings.addAll(List.of(r(Signal.AIR_TEMPERATURE, T + 1_000, 20.0), r(Signal.RELATIVE_HUMIDITY, T + 1_000, 50.0),
                r(Signal.OUTSIDE_HUMIDITY, T + 1_000, 100.0), r(Signal.PIPE_TEMPERATURE, T + 1_000, 45.0),
                r(Signal.GLOBAL_RADIATION, T + 1_000, 400.0), r(Signal.SCREEN_POSITION, T + 1_000, 25.0)));

        double[] v = CALC.compute(T, readings);

        assertThat(f(v, "vent_opening_change_5m")).isCloseTo(2.5, within(1e-9));
        assertThat(f(v, "vent_opening_change_60m")).isCloseTo(30.0, within(1e-9));
        assertThat(f(v, "outside_temperature_change_15m")).isCloseTo(1.5, within(1e-9));
        assertThat(f(v, "air_temperature_change_5m")).as("no reading five minutes earlier").isNaN();
        assertThat(f(v, "indoor_outdoor_temperature_difference_c")).isCloseTo(10.0, within(1e-9));
        assertThat(f(v, "pipe_air_temperature_difference_c")).isCloseTo(25.0, within(1e-9));
        assertThat(f(v, "vent_temperature_exchange_c")).isCloseTo(5.0, within(1e-9));
        // Saturated air at 10 °C holds 9.4 g/m³; air at 20 °C and 50 % holds 8.64 g/m³.
        assertThat(f(v, "outdoor_absolute_humidity_gm3")).isCloseTo(9.40, within(0.05));
        assertThat(f(v, "vent_humidity_exchange_gm3")).isCloseTo(0.5 * (8.64 - 9.40), within(0.05));
        assertThat(f(v, "transmitted_radiation_wm2")).isCloseTo(300.0, within(1e-9));
        assertThat(f(CALC.compute(T, List.of()), "transmitted_radiation_wm2")).isNaN();
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

        assertThat(doc).containsEntry("version", SPEC.version()).containsEntry("windowSeconds", 60L)
                .containsEntry("lookbackMinutes", 76L);
        assertThat(doc.get("features")).isEqualTo(SPEC.names());
    }
}
