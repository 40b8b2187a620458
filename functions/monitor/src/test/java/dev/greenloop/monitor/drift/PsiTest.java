package dev.greenloop.monitor.drift;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** PSI on seeded samples: quiet on the training distribution, loud on a shifted one. */
class PsiTest {

    /** A profile of a standard normal feature in ten quantile bins, 2 % missing, as the trainer writes it. */
    private static ReferenceProfile.Feature standardNormal() {
        double[] sample = new double[50_000];
        Random random = new Random(7);
        for (int i = 0; i < sample.length; i++) {
            sample[i] = random.nextGaussian();
        }
        Arrays.sort(sample);
        double[] edges = new double[9];
        for (int q = 1; q <= 9; q++) {
            edges[q - 1] = sample[q * sample.length / 10];
        }
        double[] shares = new double[10];
        Arrays.fill(shares, 0.1);
        return new ReferenceProfile.Feature(edges, shares, 0.02);
    }

    private static List<Double> sample(long seed, int n, double shift, double missing) {
        Random random = new Random(seed);
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            values.add(random.nextDouble() < missing ? null : random.nextGaussian() + shift);
        }
        return values;
    }

    @Test
    void aSampleOfTheTrainingDistributionDoesNotDrift() {
        for (long seed = 1; seed <= 5; seed++) {
            assertThat(Psi.of(standardNormal(), sample(seed, 360, 0, 0.02))).as("seed %d", seed).isLessThan(0.1);
        }
    }

    @Test
    void aShiftedOrMostlyMissingFeatureDrifts() {
        assertThat(Psi.of(standardNormal(), sample(11, 360, 1.0, 0.02))).isGreaterThan(0.25);
        assertThat(Psi.of(standardNormal(), sample(12, 360, 0, 0.5))).as("half missing").isGreaterThan(0.25);
    }

    @Test
    void aValueOnAnEdgeBelongsToTheBinItCloses() {
        double[] edges = {1, 2, 3};
        assertThat(Psi.bin(edges, 0.5)).isZero();
        assertThat(Psi.bin(edges, 1.0)).isZero();
        assertThat(Psi.bin(edges, 1.5)).isEqualTo(1);
        assertThat(Psi.bin(edges, 3.5)).isEqualTo(3);
    }
}
