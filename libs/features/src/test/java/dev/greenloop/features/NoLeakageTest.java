package dev.greenloop.features;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

import static dev.greenloop.features.FeatureCalculatorTest.CALC;
import static dev.greenloop.features.FeatureCalculatorTest.MIN;
import static dev.greenloop.features.FeatureCalculatorTest.SPEC;
import static dev.greenloop.features.FeatureCalculatorTest.T;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property: nothing at or after a window's end, and nothing before its lookback, changes its
 * features. Each seed generates a history and a disturbance; a failing seed reproduces.
 */
class NoLeakageTest {

    static LongStream seeds() {
        return LongStream.range(1, 61);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void readingsOutsideThePastWindowChangeNothing(long seed) {
        Random random = new Random(seed);
        List<RawReading> history = ZoneStreams.history(random, T - SPEC.lookback().toMillis() - 20 * MIN, T + MIN, 400);
        List<RawReading> past = history.stream().filter(r -> r.epochMillis() < T + MIN).toList();
        double[] expected = CALC.compute(T, past);

        List<RawReading> disturbed = new ArrayList<>(past);
        // The future: at and after the window end, including readings that would be spikes or
        // duplicates of past times' neighbours.
        disturbed.addAll(ZoneStreams.history(random, T + MIN, T + 90 * MIN, 300));
        for (Signal signal : Signal.values()) {
            disturbed.add(new RawReading(signal, T + MIN, random.nextDouble() * 1000));
            disturbed.add(new RawReading(signal, T + MIN + random.nextInt(1000), random.nextDouble() * 1000));
        }
        // Before the lookback.
        disturbed.addAll(ZoneStreams.history(random, T - 6 * 60 * MIN, T + MIN - SPEC.lookback().toMillis(), 300));
        java.util.Collections.shuffle(disturbed.subList(past.size(), disturbed.size()), random);

        assertThat(CALC.compute(T, disturbed)).containsExactly(expected);
    }
}
