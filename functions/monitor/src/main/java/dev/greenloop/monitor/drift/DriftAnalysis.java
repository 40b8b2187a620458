package dev.greenloop.monitor.drift;

import dev.greenloop.features.FeatureSpec;
import dev.greenloop.monitor.MonitorConfig;
import dev.greenloop.monitor.outcome.OutcomeStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.Document;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
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
        List<Document> windows = store.windowsSince(greenhouse, from).stream()
                .filter(w -> !w.getDate("windowEnd").toInstant().isAfter(now)).toList();
        return Optional.of(report(greenhouse, model.get()[0], model.get()[1], profile.get(), windows, from, now,
                config.drift().minWindows()));
    }

    static Report report(String greenhouse, String modelName, String version, ReferenceProfile profile,
                         List<Document> windows, Instant from, Instant to, int minWindows) {
        List<FeatureDrift> features = new ArrayList<>();
        if (windows.size() >= minWindows) {
            for (Map.Entry<String, ReferenceProfile.Feature> f : profile.features().entrySet()) {
                List<Double> values = new ArrayList<>(windows.size());
                for (Document w : windows) {
                    List<String> names = w.getList("featureNames", String.class);
                    if (names == null) {
                        // Not stored when they are the names of the window's spec.
                        names = FeatureSpec.of(w.getString("featureSpecVersion")).orElse(FeatureSpec.V1).names();
                    }
                    int i = names.indexOf(f.getKey());
                    values.add(i < 0 ? null : w.getList("values", Double.class).get(i));
                }
                features.add(new FeatureDrift(f.getKey(), Psi.of(f.getValue(), values),
                        profile.importances().getOrDefault(f.getKey(), 0.0)));
            }
            features.sort(Comparator.comparingDouble(FeatureDrift::psi).reversed());
        }
        return new Report(greenhouse, modelName, version, from, to, windows.size(), features);
    }
}
