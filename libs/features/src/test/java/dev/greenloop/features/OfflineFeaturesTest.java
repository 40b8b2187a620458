package dev.greenloop.features;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.greenloop.features.FeatureCalculatorTest.CALC;
import static dev.greenloop.features.FeatureCalculatorTest.MIN;
import static dev.greenloop.features.FeatureCalculatorTest.T;
import static dev.greenloop.features.FeatureCalculatorTest.r;
import static org.assertj.core.api.Assertions.assertThat;

class OfflineFeaturesTest {

    private final Lateness lateness = new Lateness(FeatureSpec.V1, Duration.ofMinutes(2));
    private final OfflineFeatures offline = new OfflineFeatures(CALC, lateness);

    @Test
    void readingsArrivingAfterTheirWindowClosedAreDropped() {
        List<List<RawReading>> events = List.of(
                List.of(r(Signal.CO2, T, 500)),
                List.of(r(Signal.CO2, T + 10 * MIN, 510)),
                // window [T, T+1m) closed when the watermark passed T+3m: late
                List.of(r(Signal.CO2, T + 30_000, 900)),
                // window [T+8m, T+9m) closes at T+11m: still on time
                List.of(r(Signal.CO2, T + 8 * MIN + 5_000, 505)));

        List<RawReading> counted = offline.counted(events);

        assertThat(counted).extracting(RawReading::value).containsExactly(500.0, 510.0, 505.0);
    }

    @Test
    void backfilledReadingsAllCountAndLeaveTheLiveWatermarkAlone() {
        List<List<RawReading>> live = List.of(
                List.of(r(Signal.CO2, T + 10 * MIN, 510)),
                // late against the live watermark (T+10m): dropped, as online
                List.of(r(Signal.CO2, T + 2 * MIN, 900)),
                // on time against the live watermark, which backfill must not have raised
                List.of(r(Signal.CO2, T + 8 * MIN + 5_000, 505)));
        List<List<RawReading>> backfill = List.of(
                List.of(r(Signal.CO2, T + 60 * MIN, 700)),
                // a year before: history imported on purpose
                List.of(r(Signal.VENT_OPENING, T - 365 * 1440 * MIN, 30), r(Signal.CO2, T + 10 * MIN, 999)));

        List<RawReading> counted = offline.counted(live, backfill);

        assertThat(counted).extracting(RawReading::value).containsExactlyInAnyOrder(700.0, 30.0, 999.0, 510.0, 505.0);
        // Same signal and time as a live reading: the live one comes last, so it is the one the calculator keeps.
        assertThat(CALC.compute(T + 10 * MIN, counted)[FeatureCalculatorTest.SPEC.names().indexOf("co2_last")])
                .isEqualTo(510.0);
    }

    @Test
    void lastClosedWindowFollowsTheWatermark() {
        assertThat(lateness.lastClosedWindow(T + 3 * MIN)).isEqualTo(T);
        assertThat(lateness.lastClosedWindow(T + 3 * MIN - 1)).isEqualTo(T - MIN);
        assertThat(lateness.lastClosedWindow(Long.MIN_VALUE)).isEqualTo(Long.MIN_VALUE);
        assertThat(lateness.isLate(T + 59_999, T + 3 * MIN)).isTrue();
        assertThat(lateness.isLate(T + 60_000, T + 3 * MIN)).isFalse();
    }

    @Test
    void tableHasARowForEveryWindowWithDataAndTargetsFromTheFuture() {
        List<RawReading> counted = List.of(r(Signal.AIR_TEMPERATURE, T + 1_000, 20),
                r(Signal.AIR_TEMPERATURE, T + 15 * MIN + 1_000, 22), r(Signal.AIR_TEMPERATURE, T + 16 * MIN + 1_000, 23));

        List<OfflineFeatures.Row> rows = offline.table(counted, T, T + 30 * MIN, 15);

        // Forward fill makes windows T..T+5m and T+15m..T+21m have data.
        assertThat(rows).extracting(OfflineFeatures.Row::windowStart)
                .contains(T, T + 5 * MIN, T + 15 * MIN, T + 21 * MIN).doesNotContain(T + 6 * MIN, T + 22 * MIN);
        assertThat(rows.get(0).targets()[0]).isEqualTo(22.0);
        assertThat(rows.get(1).targets()[0]).isEqualTo(23.0);
        assertThat(rows.get(0).features()).containsExactly(CALC.compute(T, counted));
    }
}
