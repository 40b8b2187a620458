package dev.greenloop.monitor.drift;

import dev.greenloop.features.FeatureSpec;
import dev.greenloop.monitor.MonitorConfig;
import dev.greenloop.monitor.outcome.OutcomeStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.Document;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How far the greenhouse's recent feature windows have moved from the champion's training
 * profile: the population stability index of every profiled feature over the last
 * {@code drift.window}, with the model's importance of each.
 */
@ApplicationScoped
public class DriftAnalysis {

    /** One feature's shift. */
    public record FeatureDrift(String feature, double psi, double importance) {
    }

    /**
     * @param windows the recent windows compared (too few, and {@code features} is empty)
     */
    public record Report(String greenhouseId, String modelName, String modelVersion, Instant from, Instant to,
                         long windows, List<FeatureDrift> features) {
    }

    private final OutcomeStore store;
    private final ReferenceProfiles profiles;
    private final MonitorConfig config;

    public DriftAnalysis(OutcomeStore store, ReferenceProfiles profiles, MonitorConfig config) {
        this.store = store;
        this.profiles = profiles;
        this.config = config;
    }

    /** The drift of the greenhouse's champion up to {@code now}; empty when no champion or no profile is known. */
    public Optional<Report> champion(String greenhouse, Instant now) {
        Optional<String[]> model = store.model(greenhouse, "champion");
        if (model.isEmpty()) {
            return Optional.empty();
        }
        Optional<ReferenceProfile> profile = profiles.of(model.get()[0], model.get()[1]);
        if (profile.isEmpty()) {
            return Optional.empty();
        }
        Instant from = now.minus(config.drift().window());
        ProfileCounts counts = new ProfileCounts(profile.get());
        long windows = store.forEachWindow(greenhouse, from, now, counts::add);
        return Optional.of(counts.report(greenhouse, model.get()[0], model.get()[1], windows, from, now,
                config.drift().minWindows()));
    }

    /** Every profiled feature's values counted into its bins, window by window; no window is kept. */
    static final class ProfileCounts {

        private final ReferenceProfile profile;
        private final Map<String, Psi.Counts> counts = new LinkedHashMap<>();
        /** Where each profiled feature is in a list of names; most windows share their spec's list. */
        private final Map<List<String>, int[]> positions = new IdentityHashMap<>();

        ProfileCounts(ReferenceProfile profile) {
            this.profile = profile;
            profile.features().forEach((name, feature) -> counts.put(name, new Psi.Counts(feature)));
        }

        void add(Document window) {
            List<String> names = window.getList("featureNames", String.class);
            int[] at;
            if (names == null) {
                // Not stored when they are the names of the window's spec.
                names = FeatureSpec.of(window.getString("featureSpecVersion")).orElse(FeatureSpec.V1).names();
                at = positions.computeIfAbsent(names, this::positionsIn);
            } else {
                at = positionsIn(names);
            }
            List<Double> values = window.getList("values", Double.class);
            int f = 0;
            for (Psi.Counts c : counts.values()) {
                int i = at[f++];
                c.add(i < 0 || values == null || i >= values.size() ? null : values.get(i));
            }
        }

        private int[] positionsIn(List<String> names) {
            return counts.keySet().stream().mapToInt(names::indexOf).toArray();
        }

        Report report(String greenhouse, String modelName, String version, long windows, Instant from, Instant to,
                      int minWindows) {
            List<FeatureDrift> features = new ArrayList<>();
            if (windows >= minWindows) {
                counts.forEach((name, c) -> features.add(new FeatureDrift(name, c.psi(),
                        profile.importances().getOrDefault(name, 0.0))));
                features.sort(Comparator.comparingDouble(FeatureDrift::psi).reversed());
            }
            return new Report(greenhouse, modelName, version, from, to, windows, features);
        }
    }
}
