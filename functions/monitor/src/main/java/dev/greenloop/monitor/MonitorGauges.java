package dev.greenloop.monitor;

import dev.greenloop.monitor.drift.DriftAnalysis;
import dev.greenloop.monitor.outcome.Accuracy;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The gauges dashboards read, set at each check from the last complete hour: realised MAE and
 * its ratio to persistence per greenhouse, zone, target and model version, and the PSI of the
 * most drifting features of the champion. They are derived from monitor's store, so a replica
 * that scaled from zero shows them again after its first check.
 */
@ApplicationScoped
public class MonitorGauges {

    private static final int DRIFTING_FEATURES = 5;

    private final MeterRegistry registry;
    private final Map<String, AtomicReference<Double>> values = new ConcurrentHashMap<>();
    private final Map<String, java.util.Set<String>> accuracyKeys = new ConcurrentHashMap<>();

    public MonitorGauges(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * Sets the accuracy gauges of {@code greenhouse} from the last complete hour; the groups the
     * hour did not score (a model version no longer in service, say) read NaN from now on, so
     * that an alert on a champion's ratio never reads a retired version's figure.
     */
    public void accuracy(String greenhouse, List<Accuracy.Hour> lastHour) {
        java.util.Set<String> before = accuracyKeys.getOrDefault(greenhouse, java.util.Set.of());
        java.util.Set<String> now = new java.util.HashSet<>();
        for (Accuracy.Hour h : lastHour) {
            Tags tags = Tags.of("greenhouse", greenhouse, "zone", h.zoneId(), "target", h.target() + "_" + h.horizonMinutes() + "m",
                    "model_version", h.modelVersion(), "role", h.role());
            set("greenloop.monitor.realised.mae", "The model's realised MAE over the last complete hour", tags, h.mae());
            set("greenloop.monitor.realised.ratio", "Realised MAE over persistence's on the same instants (below 1: better)",
                    tags, h.ratio());
            set("greenloop.monitor.realised.interval.coverage",
                    "Share of measured values inside the prediction interval over the last complete hour", tags, h.coverage());
            now.add("greenloop.monitor.realised.mae" + tags);
            now.add("greenloop.monitor.realised.ratio" + tags);
            now.add("greenloop.monitor.realised.interval.coverage" + tags);
        }
        for (String key : before) {
            if (!now.contains(key)) {
                values.get(key).set(Double.NaN);
            }
        }
        accuracyKeys.put(greenhouse, now);
    }

    public void drift(DriftAnalysis.Report report) {
        report.features().stream().limit(DRIFTING_FEATURES).forEach(f -> set("greenloop.monitor.feature.psi",
                "Population stability index of the champion's most drifting features",
                Tags.of("greenhouse", report.greenhouseId(), "feature", f.feature(), "model_version", report.modelVersion()),
                f.psi()));
    }

    private void set(String name, String description, Tags tags, Double value) {
        String key = name + tags;
        AtomicReference<Double> holder = values.computeIfAbsent(key, k -> {
            AtomicReference<Double> h = new AtomicReference<>(Double.NaN);
            Gauge.builder(name, h, r -> r.get()).description(description).tags(tags).register(registry);
            return h;
        });
        holder.set(value == null ? Double.NaN : value);
    }
}
