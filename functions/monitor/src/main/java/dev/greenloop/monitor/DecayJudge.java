package dev.greenloop.monitor;

import dev.greenloop.events.payload.DriftDetected;
import dev.greenloop.monitor.drift.DriftAnalysis;
import dev.greenloop.monitor.outcome.Accuracy;
import dev.greenloop.monitor.outcome.OutcomeStore;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.Document;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides whether the greenhouse's champion has decayed, by three rules in this order:
 * <ol>
 *   <li>{@code accuracy_ratio}: in each of the last {@code decay.bad-hours} complete hours, with
 *       enough outcomes, its realised MAE in a zone and target was above
 *       {@code decay.max-ratio-to-persistence} times persistence's on the same instants;</li>
 *   <li>{@code challenger_gain}: on at least {@code decay.min-head-to-head} shared instants in
 *       the last {@code decay.head-to-head-window}, the challenger's MAE was lower by the factor
 *       {@code decay.challenger-gain};</li>
 *   <li>{@code psi}: one of the champion's {@code drift.top-features} most important features has
 *       a population stability index above {@code drift.psi-threshold} over {@code drift.window}.</li>
 * </ol>
 * The first rule that holds becomes one {@code drift.detected} event, at most one per greenhouse
 * per {@code decay.cooldown}; its metric names the rule and where ({@code accuracy_ratio:zone-1/air_temperature_15m}).
 */
@ApplicationScoped
public class DecayJudge {

    private static final Logger LOG = Logger.getLogger(DecayJudge.class);

    private final OutcomeStore store;
    private final MonitorConfig config;
    private final MeterRegistry metrics;

    public DecayJudge(OutcomeStore store, MonitorConfig config, MeterRegistry metrics) {
        this.store = store;
        this.config = config;
        this.metrics = metrics;
    }

    /**
     * The decay event for the greenhouse at {@code now}, if a rule holds and the cooldown has
     * passed; {@code drift} is the champion's drift report at {@code now}, computed once by the caller.
     */
    public Optional<DriftDetected> judge(String greenhouse, Instant now, Optional<DriftAnalysis.Report> drift) {
        Optional<String[]> champion = store.model(greenhouse, "champion");
        if (champion.isEmpty()) {
            return Optional.empty();
        }
        Optional<DriftDetected> found = accuracy(greenhouse, champion.get(), now)
                .or(() -> challenger(greenhouse, champion.get(), now))
                .or(() -> drift.flatMap(this::featureDrift));
        if (found.isEmpty()) {
            return Optional.empty();
        }
        DriftDetected d = found.get();
        Document event = new Document("metric", d.metric()).append("value", d.value()).append("threshold", d.threshold())
                .append("modelVersion", d.modelVersion()).append("at", java.util.Date.from(now));
        if (!store.claimDecay(greenhouse, now, config.decay().cooldown(), event)) {
            LOG.debugf("Decay of %s (%s) within the cooldown: not announced again", greenhouse, d.metric());
            return Optional.empty();
        }
        metrics.counter("greenloop.monitor.decay.events", "greenhouse", greenhouse, "rule", rule(d.metric())).increment();
        LOG.infof("Decay of %s %s version %s: %s = %.3f (threshold %.3f) from %s to %s", greenhouse, d.modelName(),
                d.modelVersion(), d.metric(), d.value(), d.threshold(), d.from(), d.to());
        return found;
    }

    private Optional<DriftDetected> accuracy(String greenhouse, String[] champion, Instant now) {
        int hours = config.decay().badHours();
        Instant end = now.truncatedTo(ChronoUnit.HOURS);
        Instant start = end.minus(Duration.ofHours(hours));
        Accuracy.Hourly hourly = new Accuracy.Hourly();
        store.forEachOutcome(greenhouse, start, null, null, champion[1], hourly::add);
        List<Accuracy.Hour> rows = hourly.result().stream()
                .filter(h -> h.role().equals("champion") && h.hour().isBefore(end)).toList();
        Map<String, double[]> bad = new HashMap<>();
        for (Accuracy.Hour h : rows) {
            if (h.count() >= config.decay().minOutcomesPerHour() && h.ratio() != null
                    && h.ratio() > config.decay().maxRatioToPersistence()) {
                double[] b = bad.computeIfAbsent(h.zoneId() + "/" + h.target() + "_" + h.horizonMinutes() + "m",
                        k -> new double[] {0, Double.POSITIVE_INFINITY});
                b[0]++;
                b[1] = Math.min(b[1], h.ratio());
            }
        }
        return bad.entrySet().stream().filter(e -> e.getValue()[0] >= hours).sorted(Map.Entry.comparingByKey()).findFirst()
                .map(e -> new DriftDetected(greenhouse, e.getKey().substring(0, e.getKey().indexOf('/')), champion[0],
                        champion[1], "accuracy_ratio:" + e.getKey(), e.getValue()[1],
                        config.decay().maxRatioToPersistence(), start, end));
    }

    private Optional<DriftDetected> challenger(String greenhouse, String[] champion, Instant now) {
        Instant from = now.minus(config.decay().headToHeadWindow());
        Accuracy.Pairs pairs = new Accuracy.Pairs();
        store.forEachOutcome(greenhouse, from, null, null, null, pairs::add);
        return pairs.result().stream()
                .filter(h -> h.championVersion().equals(champion[1]) && h.instants() >= config.decay().minHeadToHead()
                        && h.gain() >= config.decay().challengerGain() && Double.isFinite(h.gain()))
                .findFirst()
                .map(h -> new DriftDetected(greenhouse, h.zoneId(), champion[0], champion[1],
                        "challenger_gain:" + h.zoneId() + "/" + h.target() + "_" + h.horizonMinutes() + "m", h.gain(),
                        config.decay().challengerGain(), from, now));
    }

    private Optional<DriftDetected> featureDrift(DriftAnalysis.Report report) {
        List<String> important = report.features().stream()
                .sorted((a, b) -> Double.compare(b.importance(), a.importance()))
                .limit(config.drift().topFeatures()).map(DriftAnalysis.FeatureDrift::feature).toList();
        return report.features().stream()
                .filter(f -> important.contains(f.feature()) && f.psi() > config.drift().psiThreshold())
                .findFirst()
                .map(f -> new DriftDetected(report.greenhouseId(), null, report.modelName(), report.modelVersion(),
                        "psi:" + f.feature(), f.psi(), config.drift().psiThreshold(), report.from(), report.to()));
    }

    static String rule(String metric) {
        int colon = metric.indexOf(':');
        return colon < 0 ? metric : metric.substring(0, colon);
    }
}
