package dev.greenloop.features;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.greenloop.features.FeatureCalculatorTest.CALC;
import static dev.greenloop.features.FeatureCalculatorTest.MIN;
import static dev.greenloop.features.FeatureCalculatorTest.SPEC;
import static dev.greenloop.features.FeatureCalculatorTest.T;
import static dev.greenloop.features.FeatureCalculatorTest.r;
import static org.assertj.core.api.Assertions.assertThat;

class FeatureCoverageTest {

    /** A window's vector with readings of {@code signals} only. */
    private static double[] row(long window, Signal... signals) {
        return CALC.compute(window, java.util.Arrays.stream(signals).map(s -> r(s, window + 1_000, 10)).toList());
    }

    @Test
    void countsRowsMissingEachSignalAndGroup() {
        FeatureCoverage c = new FeatureCoverage(SPEC);
        c.add(row(T, Signal.AIR_TEMPERATURE, Signal.OUTSIDE_TEMPERATURE, Signal.VENT_OPENING, Signal.SCREEN_POSITION));
        c.add(row(T + 20 * MIN, Signal.AIR_TEMPERATURE, Signal.OUTSIDE_TEMPERATURE, Signal.VENT_OPENING));
        c.add(row(T + 40 * MIN, Signal.AIR_TEMPERATURE, Signal.OUTSIDE_TEMPERATURE));
        c.add(row(T + 60 * MIN, Signal.AIR_TEMPERATURE));

        assertThat(c.rows()).isEqualTo(4);
        assertThat(c.missing(Signal.VENT_OPENING)).isEqualTo(2);
        assertThat(c.missing(Signal.SCREEN_POSITION)).isEqualTo(3);
        assertThat(c.missing(Signal.LAMPS)).isEqualTo(4);
        // Lamps are never reported (a greenhouse without lamps): left out. Vents or screens missing: 3 rows.
        assertThat(c.missing(Signal.Group.ACTUATORS)).isEqualTo(3);
        assertThat(c.missing(Signal.Group.WEATHER)).isEqualTo(1);
        assertThat(c.missing(Signal.Group.CLIMATE)).isZero();
        // Nothing of the heating group anywhere: every row misses it.
        assertThat(c.missing(Signal.Group.HEATING)).isEqualTo(4);
        assertThat(c.missingShare(Signal.Group.ACTUATORS)).isEqualTo(0.75);
        assertThat(c.summary()).startsWith("4 rows; missing: climate 0 (0.0 %), weather 1 (25.0 %), heating 4 (100.0 %),"
                + " actuators 3 (75.0 %)").contains("never reported: ").contains("lamps").doesNotContain("vent_opening");
    }

    @Test
    void patternsRoundTripAndAddUp() {
        FeatureCoverage a = new FeatureCoverage(SPEC);
        a.add(row(T, Signal.AIR_TEMPERATURE, Signal.VENT_OPENING));
        a.add(row(T + 20 * MIN, Signal.AIR_TEMPERATURE));
        FeatureCoverage b = new FeatureCoverage(SPEC);
        b.add(row(T, Signal.AIR_TEMPERATURE));

        FeatureCoverage copy = FeatureCoverage.of(SPEC, a.patterns());
        assertThat(copy.missingBySignal()).isEqualTo(a.missingBySignal());
        assertThat(copy.missingByGroup()).isEqualTo(a.missingByGroup());

        FeatureCoverage sum = FeatureCoverage.of(SPEC, a.patterns()).addAll(b);
        assertThat(sum.rows()).isEqualTo(3);
        assertThat(sum.missing(Signal.VENT_OPENING)).isEqualTo(2);
        assertThat(new FeatureCoverage(SPEC).missingShare(Signal.Group.WEATHER)).isZero();
        assertThat(List.of(sum.patterns().keySet().toArray())).allSatisfy(k -> assertThat((String) k).matches("[0-9a-f]+"));
    }
}
