package dev.greenloop.monitor.outcome;

import dev.greenloop.events.EventIds;
import dev.greenloop.events.payload.FeatureWindow;
import dev.greenloop.events.payload.Prediction;
import dev.greenloop.events.payload.TargetValue;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.features.Signal;
import dev.greenloop.monitor.MonitorConfig;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.Document;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * Joins each prediction with what the sensors measured at its target time: the mean of the target
 * signal in the zone's window ending at window end + horizon, the offline target's definition.
 * Persistence's forecast for the same instant is the signal's last value (its mean when there is
 * none) in the window the prediction was made from, as the trainer's baseline. A prediction
 * interval, when the model gives one, is kept with the outcome, so its live coverage is known. Either event may
 * come first; the outcome is written when both windows are known, once per prediction and target
 * (redeliveries and duplicates change nothing). A prediction whose target window has not come
 * {@code outcome-expiry} after its target time is expired and counted by the hourly check.
 */
@ApplicationScoped
public class Outcomes {

    private static final Logger LOG = Logger.getLogger(Outcomes.class);
    public static final String SCORED = "scored";
    /** The target window came without a good reading of the target signal. */
    public static final String UNMEASURED = "unmeasured";
    public static final String EXPIRED = "expired";

    private final OutcomeStore store;
    private final MonitorConfig config;
    private final MeterRegistry metrics;
    private final java.util.Map<String, String> noted = new java.util.concurrent.ConcurrentHashMap<>();

    public Outcomes(OutcomeStore store, MonitorConfig config, MeterRegistry metrics) {
        this.store = store;
        this.config = config;
        this.metrics = metrics;
    }

    /** The id of a prediction: one per model version and window, the same on every redelivery. */
    public static String predictionId(Prediction p) {
        return EventIds.derived("prediction", p.windowId(), p.modelName(), p.modelVersion());
    }

    public void onWindow(FeatureWindow w) {
        if (!store.putWindow(observation(w))) {
            metrics.counter("greenloop.monitor.duplicates", "kind", "window").increment();
        }
        for (Document p : store.pendingTouching(w.greenhouseId(), w.zoneId(), w.windowEnd())) {
            resolve(p);
        }
    }

    public void onPrediction(Prediction p) {
        String role = p.shadow() ? "challenger" : "champion";
        String model = p.modelName() + "@" + p.modelVersion();
        if (!model.equals(noted.put(p.greenhouseId() + ":" + role, model))) {
            store.noteModel(p.greenhouseId(), role, p.modelName(), p.modelVersion());
        }
        String id = predictionId(p);
        List<Document> values = new ArrayList<>();
        List<Date> targetTimes = new ArrayList<>();
        Instant last = p.windowEnd();
        for (TargetValue v : p.values()) {
            Instant at = p.windowEnd().plusSeconds(60L * v.horizonMinutes());
            Document value = new Document("target", v.target().wireName()).append("horizonMinutes", v.horizonMinutes())
                    .append("value", v.value());
            if (v.hasInterval()) {
                value.append("low", v.low()).append("high", v.high());
            }
            values.add(value);
            targetTimes.add(Date.from(at));
            last = at.isAfter(last) ? at : last;
        }
        Document pending = new Document("_id", id).append("greenhouseId", p.greenhouseId()).append("zoneId", p.zoneId())
                .append("windowId", p.windowId()).append("windowEnd", Date.from(p.windowEnd()))
                .append("modelName", p.modelName()).append("modelVersion", p.modelVersion())
                .append("role", role).append("values", values)
                .append("targetTimes", targetTimes).append("lastTargetTime", Date.from(last));
        // A redelivery after the outcome was written stores the prediction again and resolves it
        // to the same outcome, which is not inserted twice.
        if (!store.putPending(pending)) {
            metrics.counter("greenloop.monitor.duplicates", "kind", "prediction").increment();
            return;
        }
        resolve(pending);
    }

    /** Expires the zone's predictions whose target time is more than the expiry before {@code now}. */
    public void expire(String greenhouse, String zone, Instant now) {
        for (Document p : store.pendingDueBefore(greenhouse, zone, now.minus(config.outcomeExpiry()))) {
            for (Document v : p.getList("values", Document.class)) {
                Document outcome = outcome(p, v, null, null, EXPIRED);
                if (store.putOutcome(outcome)) {
                    metrics.counter("greenloop.monitor.outcomes", "status", EXPIRED).increment();
                }
            }
            store.deletePending(p.getString("_id"));
            LOG.debugf("Prediction %s expired: no window at its target time", p.getString("_id"));
        }
    }

    private void resolve(Document p) {
        String greenhouse = p.getString("greenhouseId");
        String zone = p.getString("zoneId");
        Optional<Document> now = store.measured(greenhouse, zone, p.getDate("windowEnd").toInstant());
        if (now.isEmpty()) {
            return;
        }
        boolean complete = true;
        for (Document v : p.getList("values", Document.class)) {
            Instant at = p.getDate("windowEnd").toInstant().plusSeconds(60L * v.getInteger("horizonMinutes"));
            Optional<Document> then = store.measured(greenhouse, zone, at);
            if (then.isEmpty()) {
                complete = false;
                continue;
            }
            String target = v.getString("target");
            Double actual = measured(then.get(), target, "mean");
            Double persistence = Optional.ofNullable(measured(now.get(), target, "last"))
                    .orElse(measured(now.get(), target, "mean"));
            String status = actual == null ? UNMEASURED : SCORED;
            if (store.putOutcome(outcome(p, v, actual, persistence, status))) {
                metrics.counter("greenloop.monitor.outcomes", "status", status).increment();
            }
        }
        if (complete) {
            store.deletePending(p.getString("_id"));
        }
    }

    private static Document outcome(Document p, Document v, Double actual, Double persistence, String status) {
        Instant at = p.getDate("windowEnd").toInstant().plusSeconds(60L * v.getInteger("horizonMinutes"));
        return new Document("_id", outcomeId(p.getString("_id"), v.getString("target"), v.getInteger("horizonMinutes")))
                .append("predictionId", p.getString("_id")).append("greenhouseId", p.getString("greenhouseId"))
                .append("zoneId", p.getString("zoneId")).append("target", v.getString("target"))
                .append("horizonMinutes", v.getInteger("horizonMinutes")).append("modelName", p.getString("modelName"))
                .append("modelVersion", p.getString("modelVersion")).append("role", p.getString("role"))
                .append("windowEnd", p.getDate("windowEnd")).append("targetTime", Date.from(at))
                .append("predicted", v.getDouble("value")).append("low", v.getDouble("low"))
                .append("high", v.getDouble("high")).append("actual", actual).append("persistence", persistence)
                .append("status", status);
    }

    static String outcomeId(String predictionId, String target, int horizonMinutes) {
        return predictionId + ":" + target + ":" + horizonMinutes;
    }

    /** A target signal's {@code last} or {@code mean} in what a window measured, null when the signal was missing. */
    private static Double measured(Document targets, String target, String which) {
        Document signal = targets.get(target, Document.class);
        return signal == null ? null : signal.getDouble(which);
    }

    /** What monitor keeps of a window: its target signals' last and mean, and the feature vector (for drift). */
    static Document observation(FeatureWindow w) {
        Document targets = new Document();
        for (Signal s : FeatureSpec.CURRENT.targetSignals()) {
            Double missing = value(w, s.featurePrefix() + "_missing");
            Double mean = value(w, s.featurePrefix() + "_mean");
            if ((missing == null || missing == 0.0) && mean != null) {
                Document d = new Document("mean", mean);
                Double last = value(w, s.featurePrefix() + "_last");
                if (last != null) {
                    d.append("last", last);
                }
                targets.append(s.sensor().wireName(), d);
            }
        }
        return new Document("_id", OutcomeStore.windowKey(w.greenhouseId(), w.zoneId(), w.windowEnd()))
                .append("windowId", w.windowId()).append("greenhouseId", w.greenhouseId()).append("zoneId", w.zoneId())
                .append("windowEnd", Date.from(w.windowEnd())).append("featureSpecVersion", w.featureSpecVersion())
                .append("targets", targets).append("values", w.values())
                // The spec's own names are not stored with every window (half its size); others are.
                .append("featureNames", FeatureSpec.of(w.featureSpecVersion()).map(FeatureSpec::names)
                        .filter(w.featureNames()::equals).isPresent() ? null : w.featureNames());
    }

    private static Double value(FeatureWindow w, String name) {
        int i = w.featureNames().indexOf(name);
        return i < 0 ? null : w.values().get(i);
    }
}
