package dev.greenloop.monitor.drift;

import java.util.Arrays;
import java.util.List;

/**
 * The population stability index of recent values against a feature's training profile:
 * {@code sum over bins of (recent - reference) * ln(recent / reference)}, with "missing" as one
 * more bin. Shares are floored at {@value #FLOOR} so an empty bin is finite. Below 0.1 is the
 * usual "no shift", 0.1 to 0.25 "moderate", above 0.25 "significant".
 */
public final class Psi {

    static final double FLOOR = 1e-4;

    private Psi() {
    }

    /** {@code values}: the recent values of the feature, {@code null} for missing. */
    public static double of(ReferenceProfile.Feature reference, List<Double> values) {
        Counts counts = new Counts(reference);
        values.forEach(counts::add);
        return counts.psi();
    }

    /**
     * The recent values of one feature counted into its reference's bins as they come, so that
     * no value is kept: memory per feature is its bins, however many windows are compared.
     */
    public static final class Counts {

        private final ReferenceProfile.Feature reference;
        private final long[] counts;
        private long total;

        public Counts(ReferenceProfile.Feature reference) {
            this.reference = reference;
            this.counts = new long[reference.shares().length + 1];
        }

        /** One recent value, {@code null} (or NaN) for missing. */
        public void add(Double value) {
            counts[value == null || value.isNaN() ? counts.length - 1 : bin(reference.edges(), value)]++;
            total++;
        }

        /** The index over the values added so far; 0 when there are none. */
        public double psi() {
            if (total == 0) {
                return 0;
            }
            double present = 1 - reference.missing();
            double psi = 0;
            for (int i = 0; i < counts.length; i++) {
                double expected = i == counts.length - 1 ? reference.missing() : reference.shares()[i] * present;
                psi += term((double) counts[i] / total, expected);
            }
            return psi;
        }
    }

    static int bin(double[] edges, double value) {
        int at = Arrays.binarySearch(edges, value);
        // Values equal to an edge belong to the bin that edge closes.
        return at >= 0 ? at : -at - 1;
    }

    private static double term(double actual, double expected) {
        double a = Math.max(actual, FLOOR);
        double e = Math.max(expected, FLOOR);
        return (a - e) * Math.log(a / e);
    }
}
