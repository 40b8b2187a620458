package dev.greenloop.control;

import dev.greenloop.control.policy.Change;
import dev.greenloop.control.store.CommandRecord;
import dev.greenloop.control.store.ControlStore;
import dev.greenloop.control.store.ZoneState;
import dev.greenloop.events.Events;
import dev.greenloop.events.Extensions;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.CommandMode;
import dev.greenloop.events.payload.ControlCommand;
import dev.greenloop.events.signing.CommandSigner;
import dev.greenloop.events.signing.KeyRing;
import io.cloudevents.CloudEvent;
import org.jboss.logging.Logger;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Turns a decision's changes into commands, atomically per zone: signs them and reserves them in
 * the audit trail (ids derived from the causing event, the zone, the actuator and the state's
 * version), then claims the zone's state with a compare-and-set on that version, and only then
 * publishes them. A decision that loses the claim publishes nothing (its reservations are marked
 * superseded) and is made again from the new state, so no interleaving of decisions for one zone
 * can together break the envelope. A claimed decision that stopped before publishing everything
 * is finished by the redelivery of its event, from the stored bytes.
 */
final class CommandIssuer {

    private static final Logger LOG = Logger.getLogger(CommandIssuer.class);
    static final URI SOURCE = URI.create("/greenloop/control");

    private final ControlStore store;
    private final CommandPublisher publisher;
    private final ControlMetrics metrics;
    private final Clock clock;
    private final KeyRing keys;
    private final CommandSigner signer;

    CommandIssuer(ControlStore store, CommandPublisher publisher, ControlMetrics metrics, Clock clock, KeyRing keys,
                  CommandSigner signer) {
        this.store = store;
        this.publisher = publisher;
        this.metrics = metrics;
        this.clock = clock;
        this.keys = keys;
        this.signer = signer;
    }

    /**
     * What a decision wants done in a zone: the envelope's changes and what the commands record.
     *
     * @param key          the causing event's id: names the decision and its commands
     * @param predictionId the prediction to record as handled, or null (a check)
     * @param fallback     why the fallback thermostat decided ({@code stale}, {@code no-model}, ...), or null
     * @param window       the window the commands cite (lineage), read only when there are commands
     * @param limited      what the envelope limited or held, by {@code "<actuator>:<step>"}
     */
    record Plan(String greenhouseId, String zoneId, CommandMode mode, String note, List<Change> changes, String reasonPrefix,
                CommandRecord.Cause cause, CommandRecord.PredictionRef prediction, Supplier<CommandRecord.WindowRef> window,
                String key, String predictionId, Instant windowEnd, String fallback, Map<String, Integer> limited) {
    }

    /**
     * Claims {@code state} for {@code plan} and publishes its commands.
     *
     * @return the decision, or empty when another decision changed the zone first (decide again)
     */
    Optional<Controller.Decision> issue(Plan plan, ZoneState state) {
        Optional<Controller.Decision> decision = claimAndPublish(plan, state);
        if (decision.isPresent()) {
            metrics.envelope(plan.limited());
            metrics.decision(plan.greenhouseId(), plan.zoneId(), plan.mode());
            if (plan.fallback() != null) {
                metrics.fallback(plan.fallback());
            }
        }
        return decision;
    }

    private Optional<Controller.Decision> claimAndPublish(Plan plan, ZoneState state) {
        String g = plan.greenhouseId();
        String z = plan.zoneId();
        if (plan.changes().isEmpty()) {
            if (plan.predictionId() != null) {
                store.zoneStates().predictionHandled(g, z, plan.predictionId(), plan.windowEnd(), clock.instant());
            }
            LOG.debugf("%s/%s: %s", g, z, plan.note());
            return Optional.of(new Controller.Decision(g, z, plan.mode(), plan.note(), List.of()));
        }
        boolean hasKey;
        try {
            hasKey = keys.forGreenhouse(g).isPresent();
        } catch (IllegalStateException e) {
            throw new ControlException(ControlException.Kind.MISCONFIGURED, e.getMessage() + ": " + plan.changes().size()
                    + " command(s) not issued", e);
        }
        if (!hasKey) {
            throw new ControlException(ControlException.Kind.MISCONFIGURED, "greenhouse " + g
                    + " has no signing key (greenloop.control.signing-keys): " + plan.changes().size()
                    + " command(s) not issued");
        }
        CommandRecord.WindowRef window = plan.window().get();
        List<CommandRecord> reserved = new ArrayList<>();
        List<String> mine = new ArrayList<>();
        for (Change change : plan.changes()) {
            String id = Events.derivedId("command", plan.key(), g, z, change.actuator().wireName(),
                    Long.toString(state.version()));
            CommandRecord fresh = newCommand(id, plan, change, window);
            // A command reserved before under this id (a redelivery) comes back instead of the new one.
            CommandRecord stored = store.reserve(fresh);
            reserved.add(stored);
            if (stored == fresh) {
                mine.add(id);
            }
        }
        if (!store.zoneStates().claim(g, z, state.version(), reserved, clock.instant(), plan.key(), plan.predictionId(),
                plan.windowEnd())) {
            store.supersede(mine);
            metrics.conflict();
            LOG.debugf("%s/%s: the zone changed while deciding on %s; deciding again", g, z, plan.key());
            return Optional.empty();
        }
        List<CommandRecord> issued = publish(reserved);
        store.zoneStates().completeDecision(g, z, plan.key());
        return Optional.of(new Controller.Decision(g, z, plan.mode(), plan.note(), issued));
    }

    /** Finishes the zone's claimed but unfinished decision keyed {@code key}: publishes what it did not. */
    Controller.Decision finish(String greenhouseId, String zoneId, ZoneState state, String key) {
        List<CommandRecord> records = new ArrayList<>();
        for (String id : state.lastDecision().commandIds()) {
            store.command(id).ifPresent(records::add);
        }
        LOG.infof("%s/%s: finishing decision %s (%d command(s)) that stopped before it was complete", greenhouseId, zoneId,
                key, records.size());
        List<CommandRecord> issued = publish(records);
        store.zoneStates().completeDecision(greenhouseId, zoneId, key);
        CommandMode mode = records.isEmpty() ? null : records.get(0).mode();
        return new Controller.Decision(greenhouseId, zoneId, mode, "finished an interrupted decision", issued);
    }

    private List<CommandRecord> publish(List<CommandRecord> reserved) {
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
            metrics.command(r.greenhouseId(), r.actuator(), r.mode());
            LOG.infof("%s/%s: %s %s → %s %s [%s] %s", r.greenhouseId(), r.zoneId(), r.actuator().wireName(), fmt(r.from()),
                    fmt(r.value()), r.actuator().unit(), r.mode().wireName(), r.reason());
            issued.add(r);
        }
        return issued;
    }

    private CommandRecord newCommand(String id, Plan plan, Change change, CommandRecord.WindowRef window) {
        String reason = plan.reasonPrefix() + change.describe();
        if (reason.length() > 256) {
            reason = reason.substring(0, 253) + "...";
        }
        CommandRecord.PredictionRef prediction = plan.prediction();
        ControlCommand signed = signer.sign(new ControlCommand(id, plan.greenhouseId(), plan.zoneId(), change.actuator(),
                change.to(), change.actuator().unit(), plan.mode(), reason, prediction == null ? null : prediction.eventId(),
                null));
        String payload = new String(PayloadCodec.write(signed), StandardCharsets.UTF_8);
        return new CommandRecord(id, plan.greenhouseId(), plan.zoneId(), change.actuator(), change.from(), change.to(),
                plan.mode(), reason, signed.signature().issuedAt(), signed.signature().expiresAt(),
                signed.signature().keyId(), CommandRecord.PENDING, plan.cause(), prediction, window, payload, null);
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

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
