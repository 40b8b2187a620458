package dev.greenloop.control.store;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import dev.greenloop.control.ControlException;
import dev.greenloop.control.policy.ActuatorSetting;
import dev.greenloop.events.payload.ActuatorKind;
import org.bson.Document;
import org.bson.conversions.Bson;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static dev.greenloop.control.store.ControlStore.guard;
import static dev.greenloop.control.store.ControlStore.zoneKey;

/**
 * What control last did in each zone, {@code control_state}:
 * {@code {_id: "g/z", version, actuators: {<kind>: {value, changedAt, commandId}},
 * lastDecision: {key, commandIds, complete}, lastWindowEnd, lastPredictionId, lastPredictionAt}}.
 * A decision that changes actuators is a compare-and-set on {@code version} ({@link #claim}),
 * so of two decisions made from the same state only one takes effect. Blocking; thread-safe.
 */
public final class ZoneStates {

    private final MongoCollection<Document> state;

    ZoneStates(MongoCollection<Document> state) {
        this.state = state;
    }

    public ZoneState state(String greenhouseId, String zoneId) {
        Document doc = guard(() -> state.find(Filters.eq("_id", zoneKey(greenhouseId, zoneId))).first());
        if (doc == null) {
            return ZoneState.NEW;
        }
        Map<ActuatorKind, ActuatorSetting> actuators = new EnumMap<>(ActuatorKind.class);
        Document a = doc.get("actuators", Document.class);
        if (a != null) {
            for (String name : a.keySet()) {
                Document s = a.get(name, Document.class);
                Date changed = s.getDate("changedAt");
                actuators.put(ActuatorKind.fromWire(name), new ActuatorSetting(((Number) s.get("value")).doubleValue(),
                        changed == null ? null : changed.toInstant()));
            }
        }
        ZoneState.Decision decision = null;
        Document d = doc.get("lastDecision", Document.class);
        if (d != null) {
            @SuppressWarnings("unchecked")
            List<String> ids = (List<String>) d.get("commandIds");
            decision = new ZoneState.Decision(d.getString("key"), ids == null ? List.of() : ids,
                    Boolean.TRUE.equals(d.getBoolean("complete")));
        }
        Object version = doc.get("version");
        return new ZoneState(actuators, instant(doc, "lastWindowEnd"), doc.getString("lastPredictionId"),
                instant(doc, "lastPredictionAt"), version instanceof Number n ? n.longValue() : 0, decision);
    }

    /**
     * Compare-and-set: if the zone's state is still at {@code expectedVersion}, raises the version,
     * sets each commanded actuator (value, now, command id), records the decision as unfinished
     * and, for a prediction, that it was handled. Version 0 is a state that no decision changed
     * yet (no document, or one without a version).
     *
     * @return false when another decision changed the state first: decide again from the new state
     */
    public boolean claim(String greenhouseId, String zoneId, long expectedVersion, List<CommandRecord> commands,
                         Instant now, String key, String predictionId, Instant windowEnd) {
        List<Bson> updates = new ArrayList<>();
        updates.add(Updates.set("version", expectedVersion + 1));
        for (CommandRecord c : commands) {
            updates.add(Updates.set("actuators." + c.actuator().wireName(), new Document("value", c.value())
                    .append("changedAt", Date.from(now)).append("commandId", c.commandId())));
        }
        updates.add(Updates.set("lastDecision", new Document("key", key)
                .append("commandIds", commands.stream().map(CommandRecord::commandId).toList())
                .append("complete", false).append("at", Date.from(now))));
        if (predictionId != null) {
            updates.addAll(predictionHandled(predictionId, windowEnd, now));
        }
        Bson expected = expectedVersion == 0 ? Filters.exists("version", false) : Filters.eq("version", expectedVersion);
        try {
            // Upsert for a zone without a document; a document at another version makes the
            // insert collide on _id, which is the same answer: someone else was first.
            var result = guard(() -> state.updateOne(Filters.and(Filters.eq("_id", zoneKey(greenhouseId, zoneId)), expected),
                    Updates.combine(updates), new UpdateOptions().upsert(true)));
            return result.getMatchedCount() > 0 || result.getUpsertedId() != null;
        } catch (ControlException e) {
            if (e.getCause() instanceof MongoWriteException w && w.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                return false;
            }
            throw e;
        }
    }

    /** Marks the zone's last decision, keyed {@code key}, complete: every command of it is published. */
    public void completeDecision(String greenhouseId, String zoneId, String key) {
        guard(() -> state.updateOne(Filters.and(Filters.eq("_id", zoneKey(greenhouseId, zoneId)),
                Filters.eq("lastDecision.key", key)), Updates.set("lastDecision.complete", true)));
    }

    /** Records that a prediction was handled without changing an actuator (no compare-and-set needed). */
    public void predictionHandled(String greenhouseId, String zoneId, String predictionId, Instant windowEnd, Instant now) {
        guard(() -> state.updateOne(Filters.eq("_id", zoneKey(greenhouseId, zoneId)),
                Updates.combine(predictionHandled(predictionId, windowEnd, now)), new UpdateOptions().upsert(true)));
    }

    private static List<Bson> predictionHandled(String predictionId, Instant windowEnd, Instant now) {
        return List.of(Updates.max("lastWindowEnd", Date.from(windowEnd)), Updates.set("lastPredictionId", predictionId),
                Updates.set("lastPredictionAt", Date.from(now)));
    }

    private static Instant instant(Document doc, String key) {
        Date d = doc.getDate(key);
        return d == null ? null : d.toInstant();
    }
}
