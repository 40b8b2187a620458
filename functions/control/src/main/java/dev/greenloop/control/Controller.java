package dev.greenloop.control;

import dev.greenloop.control.policy.ActuatorSetting;
import dev.greenloop.control.policy.Change;
import dev.greenloop.control.policy.Climate;
import dev.greenloop.control.policy.Envelope;
import dev.greenloop.control.policy.Policy;
import dev.greenloop.control.policy.ZoneSettings;
import dev.greenloop.control.store.CommandRecord;
import dev.greenloop.control.store.ControlStore;
import dev.greenloop.control.store.Measured;
import dev.greenloop.control.store.ZoneState;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.Events;
import dev.greenloop.events.Extensions;
import dev.greenloop.events.SensorRange;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.CommandMode;
import dev.greenloop.events.payload.ControlCommand;
import dev.greenloop.events.payload.Prediction;
import dev.greenloop.events.payload.SensorKind;
import dev.greenloop.events.payload.TargetValue;
import dev.greenloop.events.signing.CommandSigner;
import dev.greenloop.events.signing.KeyRing;
import dev.greenloop.features.FeatureSpec;
import io.cloudevents.CloudEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Turns predictions into commands: checks the prediction (fresh, plausible), runs the policy on
 * it or, when it is not usable, the reactive thermostat on the measured values, applies the
 * safety envelope, then signs, publishes and records one command per actuator that changes.
 *
 * <p>Idempotent: a command's id is derived from the causing event and the actuator, and is
 * reserved in the audit trail before it is published; the zone's state records the handled
 * prediction last. A redelivered prediction is recognised by that record; if control stopped
 * before it, the decision is made again, finds its commands reserved under the same ids and
 * publishes only those not yet published, with their stored bytes. Predictions for a window no
 * newer than the last handled one are ignored.
 */
@ApplicationScoped
public class Controller {

    private static final Logger LOG = Logger.getLogger(Controller.class);
    public static final URI SOURCE = URI.create("/greenloop/control");

    private final ControlConfig config;
    private final ControlStore store;
    private final CommandPublisher publisher;
    private final ControlMetrics metrics;
    private final Clock clock;
    private final KeyRing keys;
    private final CommandSigner signer;

    @Inject
    public Controller(ControlConfig config, ControlStore store, CommandPublisher publisher, ControlMetrics metrics) {
        this(config, store, publisher, metrics, Clock.systemUTC());
    }

    Controller(ControlConfig config, ControlStore store, CommandPublisher publisher, ControlMetrics metrics, Clock clock) {
        this.config = config;
        this.store = store;
        this.publisher = publisher;
        this.metrics = metrics;
        this.clock = clock;
        this.keys = KeyRing.parse(config.signingKeys().orElse(""));
        this.signer = new CommandSigner(keys, clock, config.commandLifetime());
        if (keys.size() == 0) {
            LOG.warn("No signing keys configured (greenloop.control.signing-keys): no command can be issued");
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
        if (p.shadow()) {
            metrics.ignored("shadow");
            return ignored(g, z, "shadow prediction of " + p.modelName() + " v" + p.modelVersion() + ": not acted on");
        }
        ZoneState state = store.state(g, z);
        if (eventId.equals(state.lastPredictionId())) {
            // Recording the decision is the last step: this prediction was handled completely.
            metrics.ignored("duplicate");
            return ignored(g, z, "prediction " + eventId + " was handled before");
        }
        if (state.lastWindowEnd() != null && !p.windowEnd().isAfter(state.lastWindowEnd())) {
            metrics.ignored("outdated");
            return ignored(g, z, "prediction for the window ending " + p.windowEnd() + " is not newer than the last handled ("
                    + state.lastWindowEnd() + ")");
        }
        Instant now = clock.instant();
        Optional<Measured> measured = usableMeasurements(g, z, now);
        if (measured.isEmpty()) {
            metrics.ignored("no-measurements");
            return ignored(g, z, "no measured values newer than " + config.maxMeasurementAge().toMinutes()
                    + " min in the online feature store: nothing is commanded");
        }
        Measured m = measured.get();
        Optional<String> unusable = unusable(p, m.climate(), now);
        CommandRecord.Cause cause = new CommandRecord.Cause(eventId, EventTypes.PREDICTION,
                extensions.get(Extensions.TRACEPARENT));
        CommandRecord.PredictionRef ref = new CommandRecord.PredictionRef(eventId, p.modelName(), p.modelVersion(),
                p.featureSpecVersion(), p.windowId(), p.windowEnd(), unusable.isEmpty());
        Decision decision;
        if (unusable.isEmpty()) {
            Instant windowStart = p.windowEnd().minusMillis(FeatureSpec.V1.windowMillis());
            CommandRecord.WindowRef window = new CommandRecord.WindowRef(p.windowId(), windowStart, p.windowEnd(),
                    store.readingEventIds(g, z, windowStart));
            decision = decide(g, z, now, state, m, predicted(p, m.climate()), CommandMode.PREDICTIVE, horizon(p), null,
                    cause, ref, window, eventId);
        } else {
            String reason = unusable.get();
            metrics.fallback(reason.substring(0, reason.indexOf(':')));
            decision = decide(g, z, now, state, m, m.climate(), CommandMode.FALLBACK, null, reason, cause, ref,
                    measuredWindow(g, z, m), eventId);
        }
        store.recordDecision(g, z, applied(decision), commandIds(decision), now, eventId, p.windowEnd());
        return decision;
    }

    /**
     * The periodic check (a PingSource): every zone of the greenhouse whose last prediction is
     * older than the allowed age, or that never had one, gets the fallback thermostat.
     */
    public List<Decision> check(String greenhouseId, String pingId, Map<String, String> extensions) {
        Instant now = clock.instant();
        List<Decision> out = new ArrayList<>();
        for (String z : store.zones(greenhouseId)) {
            ZoneState state = store.state(greenhouseId, z);
            String reason;
            if (state.lastWindowEnd() == null) {
                reason = "no-model: no prediction has arrived for this zone";
            } else if (Duration.between(state.lastWindowEnd(), now).compareTo(config.maxPredictionAge()) > 0) {
                reason = "missing: the last prediction is for the window ending " + state.lastWindowEnd() + ", more than "
                        + config.maxPredictionAge().toMinutes() + " min ago";
            } else {
                continue;
            }
            Optional<Measured> measured = usableMeasurements(greenhouseId, z, now);
            if (measured.isEmpty()) {
                metrics.ignored("no-measurements");
                out.add(ignored(greenhouseId, z, "no recent measured values: nothing is commanded"));
                continue;
            }
            metrics.fallback(reason.substring(0, reason.indexOf(':')));
            Measured m = measured.get();
            CommandRecord.Cause cause = new CommandRecord.Cause(pingId, ControlFunctions.PING,
                    extensions.get(Extensions.TRACEPARENT));
            Decision d = decide(greenhouseId, z, now, state, m, m.climate(), CommandMode.FALLBACK, null, reason, cause,
                    null, measuredWindow(greenhouseId, z, m), pingId);
            store.recordDecision(greenhouseId, z, applied(d), commandIds(d), now, null, null);
            out.add(d);
        }
        return out;
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
        if (temperature == null) {
            return Optional.of("implausible: the prediction has no air temperature");
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

    private static String horizon(Prediction p) {
        return sorted(p).stream().filter(v -> v.target() == SensorKind.AIR_TEMPERATURE).findFirst()
                .map(v -> "+" + v.horizonMinutes() + " min").orElse(null);
    }

    private CommandRecord.WindowRef measuredWindow(String g, String z, Measured m) {
        return new CommandRecord.WindowRef(m.windowId(), m.windowStart(), m.windowEnd(),
                store.readingEventIds(g, z, m.windowStart()));
    }

    private Decision decide(String g, String z, Instant now, ZoneState state, Measured m, Climate climate, CommandMode mode,
                            String horizon, String fallbackReason, CommandRecord.Cause cause,
                            CommandRecord.PredictionRef prediction, CommandRecord.WindowRef window, String idBase) {
        ZoneSettings settings = store.settings(g, z);
        Map<ActuatorKind, ActuatorSetting> current = new EnumMap<>(ActuatorKind.class);
        m.positions().forEach((kind, value) -> current.put(kind, new ActuatorSetting(settings.limits(kind).clamp(value), null)));
        current.putAll(state.actuators());
        Policy.Result proposals = Policy.propose(settings, now, climate, current, mode == CommandMode.PREDICTIVE, horizon);
        Envelope.Outcome outcome = Envelope.apply(settings, now, current, proposals.proposals(), proposals.ventFirst());
        metrics.envelope(outcome.limited());
        String prefix = fallbackReason == null ? "" : "fallback (" + fallbackReason.substring(0, fallbackReason.indexOf(':'))
                + "): ";
        String note = (fallbackReason == null ? "predictive" : "fallback, " + fallbackReason) + "; "
                + (outcome.changes().isEmpty() ? "no change" : outcome.changes().size() + " change(s)");
        if (outcome.changes().isEmpty()) {
            LOG.debugf("%s/%s: %s", g, z, note);
            return new Decision(g, z, mode, note, List.of());
        }
        if (keys.forGreenhouse(g).isEmpty()) {
            throw new ControlException(ControlException.Kind.MISCONFIGURED, "greenhouse " + g
                    + " has no signing key (greenloop.control.signing-keys): " + outcome.changes().size()
                    + " command(s) not issued");
        }
        List<CommandRecord> reserved = new ArrayList<>();
        for (Change change : outcome.changes()) {
            String id = Events.derivedId("command", idBase, g, z, change.actuator().wireName());
            // A command reserved before under this id (a redelivery) comes back instead of the new one.
            reserved.add(store.reserve(newCommand(id, g, z, change, mode, prefix, cause, prediction, window)));
        }
        List<CommandRecord> issued = new ArrayList<>();
        for (CommandRecord r : reserved) {
            if (r.sent()) {
                LOG.debugf("Command %s was published before: not again", r.commandId());
                issued.add(r);
                continue;
            }
            if (r.expiresAt().isBefore(clock.instant())) {
                LOG.warnf("Command %s (%s %s) expired before it could be published: dropped", r.commandId(),
                        r.actuator().wireName(), r.value());
                continue;
            }
            publisher.publish(event(r));
            store.markSent(r.commandId());
            metrics.command(r.actuator(), r.mode());
            LOG.infof("%s/%s: %s %s → %s %s [%s] %s", g, z, r.actuator().wireName(), fmt(r.from()), fmt(r.value()),
                    r.actuator().unit(), r.mode().wireName(), r.reason());
            issued.add(r);
        }
        return new Decision(g, z, mode, note, issued);
    }

    private CommandRecord newCommand(String id, String g, String z, Change change, CommandMode mode, String prefix,
                                     CommandRecord.Cause cause, CommandRecord.PredictionRef prediction,
                                     CommandRecord.WindowRef window) {
        String reason = prefix + change.describe();
        if (reason.length() > 256) {
            reason = reason.substring(0, 253) + "...";
        }
        ControlCommand signed = signer.sign(new ControlCommand(id, g, z, change.actuator(), change.to(),
                change.actuator().unit(), mode, reason, prediction == null ? null : prediction.eventId(), null));
        String payload = new String(PayloadCodec.write(signed), StandardCharsets.UTF_8);
        return new CommandRecord(id, g, z, change.actuator(), change.from(), change.to(), mode, reason,
                signed.signature().issuedAt(), signed.signature().expiresAt(), signed.signature().keyId(),
                CommandRecord.PENDING, cause, prediction, window, payload, null);
    }

    /** The command's event, with the stored signed payload's bytes. */
    static CloudEvent event(CommandRecord r) {
        byte[] json = r.payload().getBytes(StandardCharsets.UTF_8);
        ControlCommand command = PayloadCodec.read(dev.greenloop.events.EventType.CONTROL_COMMAND, json);
        Map<String, String> causeExtensions = new HashMap<>();
        if (r.cause().traceparent() != null) {
            causeExtensions.put(Extensions.TRACEPARENT, r.cause().traceparent());
        }
        return Events.of(command).id(r.commandId()).source(SOURCE).subject(r.actuator().wireName())
                .causedBy(r.cause().eventId(), causeExtensions).serialized(json).build();
    }

    private static Map<ActuatorKind, Double> applied(Decision d) {
        Map<ActuatorKind, Double> m = new EnumMap<>(ActuatorKind.class);
        d.commands().forEach(c -> m.put(c.actuator(), c.value()));
        return m;
    }

    private static Map<ActuatorKind, String> commandIds(Decision d) {
        Map<ActuatorKind, String> m = new EnumMap<>(ActuatorKind.class);
        d.commands().forEach(c -> m.put(c.actuator(), c.commandId()));
        return m;
    }

    private static Decision ignored(String g, String z, String note) {
        LOG.debugf("%s/%s: %s", g, z, note);
        return new Decision(g, z, null, note, List.of());
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
