package dev.greenloop.control;

import dev.greenloop.control.policy.ActuatorSetting;
import dev.greenloop.control.policy.Climate;
import dev.greenloop.control.policy.Envelope;
import dev.greenloop.control.policy.Policy;
import dev.greenloop.control.policy.ZoneSettings;
import dev.greenloop.control.store.CommandRecord;
import dev.greenloop.control.store.ControlStore;
import dev.greenloop.control.store.Measured;
import dev.greenloop.control.store.ZoneState;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.Extensions;
import dev.greenloop.events.SensorRange;
import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.CommandMode;
import dev.greenloop.events.payload.Prediction;
import dev.greenloop.events.payload.SensorKind;
import dev.greenloop.events.payload.TargetValue;
import dev.greenloop.events.signing.CommandSigner;
import dev.greenloop.events.signing.KeyRing;
import dev.greenloop.features.FeatureSpec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Turns predictions into commands: checks the prediction (fresh, plausible), runs the policy on
 * it or, when it is not usable, the reactive thermostat on the measured values, applies the
 * safety envelope, then signs, publishes and records one command per actuator that changes.
 *
 * <p>Atomic per zone: a decision that changes actuators is a compare-and-set on the zone's state
 * ({@link CommandIssuer}); when another decision for the zone changed it first, the decision is
 * made again from the new state (up to {@value #ATTEMPTS} times, then 503 and the Broker
 * redelivers). So concurrent predictions and checks can never together break dwell, rate or
 * conflict rules.
 *
 * <p>Idempotent: a command's id is derived from the causing event, the actuator and the state's
 * version, and is reserved in the audit trail before the state is claimed. A redelivered
 * prediction is recognised by the state's record of it; a decision that claimed the state and
 * stopped before publishing everything is finished by the redelivery, from the stored bytes.
 * Predictions for a window no newer than the last handled one are ignored.
 */
@ApplicationScoped
public class Controller {

    private static final Logger LOG = Logger.getLogger(Controller.class);
    public static final URI SOURCE = CommandIssuer.SOURCE;
    /** Decisions made for one event before control gives up on a zone that keeps changing (503). */
    static final int ATTEMPTS = 8;

    private final ControlConfig config;
    private final ControlStore store;
    private final ControlMetrics metrics;
    private final Clock clock;
    private final KeyRing keys;
    private final CommandIssuer issuer;

    @Inject
    public Controller(ControlConfig config, ControlStore store, CommandPublisher publisher, ControlMetrics metrics, Clock clock) {
        this.config = config;
        this.store = store;
        this.metrics = metrics;
        this.clock = clock;
        this.keys = KeyRing.parse(config.signingKeys().orElse(""));
        this.issuer = new CommandIssuer(store, publisher, metrics, clock, keys,
                new CommandSigner(keys, clock, config.commandLifetime()));
        if (keys.size() == 0) {
            LOG.warn("No signing keys configured (greenloop.control.signing-keys): no command can be issued");
        }
        if (!keys.withoutActiveKey().isEmpty()) {
            LOG.errorf("Greenhouses %s have several signing keys and none marked active (keyId:greenhouseId:secret:active):"
                    + " their commands cannot be signed", keys.withoutActiveKey());
        }
    }

    public KeyRing keys() {
        return keys;
    }

    /** What one decision did. */
    public record Decision(String greenhouseId, String zoneId, CommandMode mode, String note, List<CommandRecord> commands) {
    }

    /** Handles a prediction event. */
    public Decision onPrediction(Prediction p, String eventId, Map<String, String> extensions) {
        String g = p.greenhouseId();
        String z = p.zoneId();
        Instant latest = clock.instant().plus(config.futureTolerance());
        if (p.windowEnd().isAfter(latest)) {
            metrics.ignored("future");
            throw new ControlException(ControlException.Kind.INVALID_REQUEST, "prediction " + eventId + " is for a window"
                    + " ending " + p.windowEnd() + ", more than " + config.futureTolerance().toSeconds()
                    + " s after control's clock (" + clock.instant() + "): refused, the zone's state is unchanged");
        }
        if (p.shadow()) {
            metrics.ignored("shadow");
            return ignored(g, z, "shadow prediction of " + p.modelName() + " v" + p.modelVersion() + ": not acted on");
        }
        for (int attempt = 1; ; attempt++) {
            ZoneState state = store.zoneStates().state(g, z);
            if (state.unfinished(eventId)) {
                return issuer.finish(g, z, state, eventId);
            }
            if (eventId.equals(state.lastPredictionId())) {
                metrics.ignored("duplicate");
                return ignored(g, z, "prediction " + eventId + " was handled before");
            }
            if (state.lastWindowEnd() != null && !p.windowEnd().isAfter(state.lastWindowEnd())) {
                metrics.ignored("outdated");
                return ignored(g, z, "prediction for the window ending " + p.windowEnd()
                        + " is not newer than the last handled (" + state.lastWindowEnd() + ")");
            }
            Instant now = clock.instant();
            Optional<Measured> measured = usableMeasurements(g, z, now);
            if (measured.isEmpty()) {
                metrics.ignored("no-measurements");
                return ignored(g, z, "no measured values newer than " + config.maxMeasurementAge().toMinutes()
                        + " min in the online feature store: nothing is commanded");
            }
            Optional<Decision> done = issuer.issue(planFor(p, eventId, extensions, now, state, measured.get()), state);
            if (done.isPresent()) {
                return done.get();
            }
            giveUpAfter(attempt, g, z, "prediction " + eventId);
        }
    }

    private CommandIssuer.Plan planFor(Prediction p, String eventId, Map<String, String> extensions, Instant now,
                                       ZoneState state, Measured m) {
        String g = p.greenhouseId();
        String z = p.zoneId();
        Optional<String> unusable = unusable(p, m.climate(), now);
        CommandRecord.Cause cause = new CommandRecord.Cause(eventId, EventTypes.PREDICTION,
                extensions.get(Extensions.TRACEPARENT));
        CommandRecord.PredictionRef ref = new CommandRecord.PredictionRef(eventId, p.modelName(), p.modelVersion(),
                p.featureSpecVersion(), p.windowId(), p.windowEnd(), unusable.isEmpty());
        if (unusable.isEmpty()) {
            Instant windowStart = p.windowEnd().minusMillis(FeatureSpec.V1.windowMillis());
            // Read only if the decision commands something: most predictions leave every actuator as it is.
            Supplier<CommandRecord.WindowRef> window = () -> new CommandRecord.WindowRef(p.windowId(), windowStart,
                    p.windowEnd(), store.readingEventIds(g, z, windowStart));
            return plan(g, z, now, state, m, predicted(p, m.climate()), predictedKinds(p), intervals(p), CommandMode.PREDICTIVE,
                    horizon(p), null,
                    cause, ref, window, eventId, eventId, p.windowEnd());
        }
        String reason = unusable.get();
        return plan(g, z, now, state, m, m.climate(), Set.of(), Map.of(), CommandMode.FALLBACK, null, reason, cause, ref,
                measuredWindow(g, z, m), eventId, eventId, p.windowEnd());
    }

    /**
     * The periodic check (a PingSource): every zone of the greenhouse whose last prediction is
     * older than the allowed age, or that never had one, gets the fallback thermostat. A zone
     * whose settings are invalid is skipped and reported after the others are checked.
     */
    public List<Decision> check(String greenhouseId, String pingId, Map<String, String> extensions) {
        List<Decision> out = new ArrayList<>();
        ControlException misconfigured = null;
        for (String z : store.zones(greenhouseId)) {
            try {
                checkZone(greenhouseId, z, pingId, extensions).ifPresent(out::add);
            } catch (ControlException e) {
                if (e.status() >= 500) {
                    throw e;
                }
                // One zone's invalid settings must not leave the others without their fallback.
                LOG.errorf("%s/%s: not checked: %s", greenhouseId, z, e.getMessage());
                misconfigured = misconfigured == null ? e : misconfigured;
            }
        }
        if (misconfigured != null) {
            throw misconfigured;
        }
        return out;
    }

    private Optional<Decision> checkZone(String g, String z, String pingId, Map<String, String> extensions) {
        for (int attempt = 1; ; attempt++) {
            ZoneState state = store.zoneStates().state(g, z);
            if (state.unfinished(pingId)) {
                return Optional.of(issuer.finish(g, z, state, pingId));
            }
            Instant now = clock.instant();
            String reason;
            if (state.lastWindowEnd() == null) {
                reason = "no-model: no prediction has arrived for this zone";
            } else if (Duration.between(state.lastWindowEnd(), now).compareTo(config.maxPredictionAge()) > 0) {
                reason = "missing: the last prediction is for the window ending " + state.lastWindowEnd() + ", more than "
                        + config.maxPredictionAge().toMinutes() + " min ago";
            } else {
                return Optional.empty();
            }
            Optional<Measured> measured = usableMeasurements(g, z, now);
            if (measured.isEmpty()) {
                metrics.ignored("no-measurements");
                return Optional.of(ignored(g, z, "no recent measured values: nothing is commanded"));
            }
            Measured m = measured.get();
            CommandRecord.Cause cause = new CommandRecord.Cause(pingId, ControlFunctions.PING,
                    extensions.get(Extensions.TRACEPARENT));
            Optional<Decision> done = issuer.issue(plan(g, z, now, state, m, m.climate(), Set.of(), Map.of(), CommandMode.FALLBACK, null, reason,
                    cause, null, measuredWindow(g, z, m), pingId, null, null), state);
            if (done.isPresent()) {
                return done;
            }
            giveUpAfter(attempt, g, z, "check " + pingId);
        }
    }

    private static void giveUpAfter(int attempt, String g, String z, String what) {
        if (attempt >= ATTEMPTS) {
            throw new ControlException(ControlException.Kind.DECISION_CONFLICT, "zone " + g + "/" + z + " changed " + attempt
                    + " times while deciding on " + what + "; try again");
        }
    }

    private Optional<Measured> usableMeasurements(String g, String z, Instant now) {
        return store.measured(g, z).filter(m -> m.climate().airTemperature() != null
                && Duration.between(m.windowEnd(), now).compareTo(config.maxMeasurementAge()) <= 0);
    }

    /** Why a prediction cannot be acted on ({@code "<reason>: <detail>"}), or empty when it can. */
    Optional<String> unusable(Prediction p, Climate measured, Instant now) {
        Duration age = Duration.between(p.windowEnd(), now);
        if (age.compareTo(config.maxPredictionAge()) > 0) {
            return Optional.of("stale: the prediction's window ended " + age.toSeconds() + " s ago, more than "
                    + config.maxPredictionAge().toSeconds() + " s");
        }
        Double temperature = null;
        for (TargetValue v : sorted(p)) {
            SensorRange range = SensorRange.of(v.target());
            if (!range.plausible(v.value())) {
                return Optional.of(String.format(Locale.ROOT, "implausible: predicted %s %.1f is outside %.0f–%.0f",
                        v.target().wireName(), v.value(), range.plausibleMin(), range.plausibleMax()));
            }
            if (v.target() == SensorKind.AIR_TEMPERATURE && temperature == null) {
                temperature = v.value();
            }
        }
        if (p.values().isEmpty()) {
            return Optional.of("implausible: the prediction has no values");
        }
        if (temperature == null) {
            // The model does not forecast air temperature: it is steered on the measured value.
            return Optional.empty();
        }
        double change = Math.abs(temperature - measured.airTemperature());
        if (change > config.maxPredictedTemperatureChange()) {
            return Optional.of(String.format(Locale.ROOT,
                    "implausible: predicted air temperature %.1f °C is %.1f °C from the measured %.1f °C (at most %.1f)",
                    temperature, change, measured.airTemperature(), config.maxPredictedTemperatureChange()));
        }
        return Optional.empty();
    }

    /** Targets by horizon, shortest first: the nearest prediction of each quantity is used. */
    private static List<TargetValue> sorted(Prediction p) {
        return p.values().stream().sorted(Comparator.comparingInt(TargetValue::horizonMinutes)).toList();
    }

    /** The predicted air temperature, humidity and CO2 (measured where not predicted), with measured light and outside. */
    static Climate predicted(Prediction p, Climate measured) {
        Map<SensorKind, Double> first = new EnumMap<>(SensorKind.class);
        for (TargetValue v : sorted(p)) {
            first.putIfAbsent(v.target(), v.value());
        }
        return new Climate(first.getOrDefault(SensorKind.AIR_TEMPERATURE, measured.airTemperature()),
                first.getOrDefault(SensorKind.RELATIVE_HUMIDITY, measured.relativeHumidity()),
                first.getOrDefault(SensorKind.CO2, measured.co2()), measured.par(), measured.globalRadiation(),
                measured.outsideTemperature());
    }

    /** The quantities the prediction forecasts (the others are steered on their measured values). */
    static Set<SensorKind> predictedKinds(Prediction p) {
        Set<SensorKind> kinds = java.util.EnumSet.noneOf(SensorKind.class);
        p.values().forEach(v -> kinds.add(v.target()));
        return kinds;
    }

    /** The prediction interval of the nearest forecast of each quantity that has one (the policy judges its bounds). */
    static Map<SensorKind, Policy.Interval> intervals(Prediction p) {
        Map<SensorKind, Policy.Interval> out = new EnumMap<>(SensorKind.class);
        Set<SensorKind> seen = java.util.EnumSet.noneOf(SensorKind.class);
        for (TargetValue v : sorted(p)) {
            if (seen.add(v.target()) && v.hasInterval()) {
                out.put(v.target(), new Policy.Interval(v.low(), v.high()));
            }
        }
        return out;
    }

    /** The horizon of the air temperature forecast, else of the first target forecast. */
    private static String horizon(Prediction p) {
        List<TargetValue> values = sorted(p);
        return values.stream().filter(v -> v.target() == SensorKind.AIR_TEMPERATURE).findFirst()
                .or(() -> values.stream().findFirst())
                .map(v -> "+" + v.horizonMinutes() + " min").orElse(null);
    }

    /** The measured window the fallback's commands cite, read when they are made. */
    private Supplier<CommandRecord.WindowRef> measuredWindow(String g, String z, Measured m) {
        return () -> new CommandRecord.WindowRef(m.windowId(), m.windowStart(), m.windowEnd(),
                store.readingEventIds(g, z, m.windowStart()));
    }

    private CommandIssuer.Plan plan(String g, String z, Instant now, ZoneState state, Measured m, Climate climate,
                                    Set<SensorKind> predicted, Map<SensorKind, Policy.Interval> intervals, CommandMode mode, String horizon, String fallbackReason, CommandRecord.Cause cause,
                                    CommandRecord.PredictionRef prediction, Supplier<CommandRecord.WindowRef> window, String key,
                                    String predictionId, Instant windowEnd) {
        ZoneSettings settings = store.settings(g, z);
        Map<ActuatorKind, ActuatorSetting> current = new EnumMap<>(ActuatorKind.class);
        m.positions().forEach((kind, value) -> current.put(kind, new ActuatorSetting(settings.limits(kind).clamp(value), null)));
        current.putAll(state.actuators());
        Policy.Result proposals = Policy.propose(settings, now, climate, current, predicted, intervals, horizon);
        Envelope.Outcome outcome = Envelope.apply(settings, now, current, proposals.proposals(), proposals.ventFirst());
        String prefix = fallbackReason == null ? "" : "fallback (" + fallbackReason.substring(0, fallbackReason.indexOf(':'))
                + "): ";
        String note = (fallbackReason == null ? "predictive" : "fallback, " + fallbackReason) + "; "
                + (outcome.changes().isEmpty() ? "no change" : outcome.changes().size() + " change(s)");
        return new CommandIssuer.Plan(g, z, mode, note, outcome.changes(), prefix, cause, prediction, window, key,
                predictionId, windowEnd, fallbackReason == null ? null : fallbackReason.substring(0, fallbackReason.indexOf(':')),
                outcome.limited());
    }

    private static Decision ignored(String g, String z, String note) {
        LOG.debugf("%s/%s: %s", g, z, note);
        return new Decision(g, z, null, note, List.of());
    }

}
