package dev.greenloop.monitor.drift;

import dev.greenloop.features.FeatureSpec;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Windows counted one by one, as the cursor hands them over, give the PSI of their values collected. */
class ProfileCountsTest {

    private static final List<String> NAMES = FeatureSpec.V1.names();
    private static final String A = NAMES.get(0);
    private static final String B = NAMES.get(7);

    private static ReferenceProfile profile() {
        Map<String, ReferenceProfile.Feature> features = new LinkedHashMap<>();
        features.put(A, new ReferenceProfile.Feature(new double[] {-1, 0, 1}, new double[] {0.25, 0.25, 0.25, 0.25}, 0.05));
        features.put(B, new ReferenceProfile.Feature(new double[] {10, 20}, new double[] {0.3, 0.4, 0.3}, 0.0));
        return new ReferenceProfile("v1", features, Map.of(A, 0.7, B, 0.3));
    }

    /** A window of spec v1 (its names not stored, as preprocess leaves them) with {@code a} and {@code b} at their places. */
    private static Document specWindow(Double a, Double b) {
        List<Double> values = new ArrayList<>(Collections.nCopies(NAMES.size(), 0.0));
        values.set(0, a);
        values.set(7, b);
        return new Document("featureSpecVersion", "v1").append("values", values);
    }

    /** A window that stores its own names, in another order, without feature {@code B}. */
    private static Document namedWindow(Double a) {
        return new Document("featureSpecVersion", "v1").append("featureNames", List.of("other", A))
                .append("values", Arrays.asList(5.0, a));
    }

    @Test
    void countingWindowByWindowGivesThePsiOfTheCollectedValues() {
        Random random = new Random(3);
        DriftAnalysis.ProfileCounts counts = new DriftAnalysis.ProfileCounts(profile());
        List<Double> as = new ArrayList<>();
        List<Double> bs = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            Double a = random.nextDouble() < 0.1 ? null : random.nextGaussian() + 0.8;
            if (i % 5 == 0) {
                counts.add(namedWindow(a));
                as.add(a);
                bs.add(null);
            } else {
                Double b = random.nextGaussian() * 5 + 15;
                counts.add(specWindow(a, b));
                as.add(a);
                bs.add(b);
            }
        }
        DriftAnalysis.Report report = counts.report("gh-1", "m", "1", 500, Instant.EPOCH, Instant.EPOCH.plusSeconds(60), 60);

        assertThat(report.windows()).isEqualTo(500);
        assertThat(report.features()).extracting(DriftAnalysis.FeatureDrift::feature).containsExactlyInAnyOrder(A, B);
        Map<String, Double> psi = new LinkedHashMap<>();
        report.features().forEach(f -> psi.put(f.feature(), f.psi()));
        assertThat(psi.get(A)).isEqualTo(Psi.of(profile().features().get(A), as));
        assertThat(psi.get(B)).isEqualTo(Psi.of(profile().features().get(B), bs));
        // Largest PSI first; the shifted feature drifted.
        assertThat(report.features().get(0).psi()).isGreaterThan(report.features().get(1).psi());
        assertThat(psi.get(A)).isGreaterThan(0.25);
    }

    @Test
    void tooFewWindowsJudgeNoFeature() {
        DriftAnalysis.ProfileCounts counts = new DriftAnalysis.ProfileCounts(profile());
        counts.add(specWindow(0.5, 15.0));
        assertThat(counts.report("gh-1", "m", "1", 1, Instant.EPOCH, Instant.EPOCH, 60).features()).isEmpty();
    }
}
