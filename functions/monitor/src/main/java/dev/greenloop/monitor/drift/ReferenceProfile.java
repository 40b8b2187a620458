package dev.greenloop.monitor.drift;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training features' distribution, as the trainer writes it next to each model version
 * ({@code reference-profile.json} in the version's run): per feature the inner edges of its
 * quantile bins, the share of training rows in each bin and the share missing; and the model's
 * feature importances (total gain, summed over its targets, normalised to 1).
 */
public record ReferenceProfile(String featureSpecVersion, Map<String, Feature> features, Map<String, Double> importances) {

    public static final String ARTIFACT = "reference-profile.json";

    /**
     * @param edges   inner bin edges, ascending: bin 0 is {@code <= edges[0]}, the last is {@code > edges[last]}
     * @param shares  the share of non-missing training values in each bin ({@code edges.length + 1} of them)
     * @param missing the share of training rows without the feature
     */
    public record Feature(double[] edges, double[] shares, double missing) {
        public Feature {
            if (shares.length != edges.length + 1) {
                throw new IllegalArgumentException("a feature needs one share per bin: " + (edges.length + 1) + ", got "
                        + shares.length);
            }
        }
    }

    public static ReferenceProfile parse(JsonNode json) {
        Map<String, Feature> features = new LinkedHashMap<>();
        json.path("features").fields().forEachRemaining(e -> features.put(e.getKey(), new Feature(
                doubles(e.getValue().path("edges")), doubles(e.getValue().path("shares")),
                e.getValue().path("missingShare").asDouble(0))));
        Map<String, Double> importances = new LinkedHashMap<>();
        json.path("importances").fields().forEachRemaining(e -> importances.put(e.getKey(), e.getValue().asDouble()));
        if (features.isEmpty()) {
            throw new IllegalArgumentException("the reference profile lists no features");
        }
        return new ReferenceProfile(json.path("featureSpecVersion").asText("v1"), features, importances);
    }

    /** The {@code n} most important features that have a profile, most important first. */
    public List<String> mostImportant(int n) {
        List<String> names = new ArrayList<>(features.keySet());
        names.sort(Comparator.comparingDouble((String f) -> -importances.getOrDefault(f, 0.0)).thenComparing(f -> f));
        return names.subList(0, Math.min(n, names.size()));
    }

    private static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }
}
