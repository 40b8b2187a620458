package dev.greenloop.control.store;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import dev.greenloop.clients.MongoConnections;
import dev.greenloop.clients.Settings;
import dev.greenloop.control.ControlConfig;
import dev.greenloop.control.ControlException;
import dev.greenloop.control.policy.Climate;
import dev.greenloop.control.policy.ZoneSettings;
import dev.greenloop.control.policy.ZoneSettingsDocument;
import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.CommandMode;
import dev.greenloop.onlinestore.OnlineStore;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.Document;
import org.bson.conversions.Bson;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * control's state in MongoDB:
 * <ul>
 *   <li>{@code control_zones}: per-zone settings overrides ({@link ZoneSettingsDocument}), written by operators;</li>
 *   <li>{@code control_state}: each zone's decision state, compare-and-set ({@link ZoneStates});</li>
 *   <li>{@code control_commands}: the audit trail, one {@link CommandRecord} per command;</li>
 * </ul>
 * and reads what preprocess keeps through the online store's contract ({@link OnlineStore}): the
 * latest feature vector per zone and the reading event ids of each window (lineage). Blocking; call from
 * worker threads.
 */
@ApplicationScoped
public class ControlStore {

    private final MongoClient client;
    private final MongoCollection<Document> zones;
    private final ZoneStates zoneStates;
    private final MongoCollection<Document> commands;
    private final OnlineStore online;

    public ControlStore(ControlConfig config) {
        this.client = MongoConnections.create(config.mongodb().connectionString(), Settings.fromConfig());
        var db = client.getDatabase(config.mongodb().database());
        this.zones = db.getCollection("control_zones");
        this.zoneStates = new ZoneStates(db.getCollection("control_state"));
        this.commands = db.getCollection("control_commands");
        this.online = new OnlineStore(db);
        try {
            commands.createIndex(Indexes.ascending("ack.status", "expiresAt"));
        } catch (MongoException e) {
            // Not fatal: the report of unacknowledged commands scans without it. MongoDB may be starting.
            org.jboss.logging.Logger.getLogger(ControlStore.class).warnf("Could not create the index on control_commands: %s",
                    e.getMessage());
        }
    }

    @PreDestroy
    void close() {
        client.close();
    }

    /** {@code greenhouseId/zoneId}: the key of a zone's documents, as in the online store. */
    public static String zoneKey(String greenhouseId, String zoneId) {
        return OnlineStore.zoneKey(greenhouseId, zoneId);
    }

    public ZoneSettings settings(String greenhouseId, String zoneId) {
        String key = zoneKey(greenhouseId, zoneId);
        Document doc = guard(() -> zones.find(Filters.eq("_id", key)).first());
        try {
            return ZoneSettingsDocument.parse(key, doc);
        } catch (IllegalArgumentException e) {
            throw new ControlException(ControlException.Kind.MISCONFIGURED, e.getMessage(), e);
        }
    }

    /** The zones' decision state ({@code control_state}), compare-and-set. */
    public ZoneStates zoneStates() {
        return zoneStates;
    }

    /** The zone's latest measured values, or empty when preprocess has stored none. */
    public Optional<Measured> measured(String greenhouseId, String zoneId) {
        return guard(() -> online.latest(greenhouseId, zoneId)).map(v -> {
            Climate climate = new Climate(v.last("air_temperature").orElse(null), v.last("relative_humidity").orElse(null),
                    v.last("co2").orElse(null), v.last("par").orElse(null), v.last("global_radiation").orElse(null),
                    v.last("outside_temperature").orElse(null));
            Map<ActuatorKind, Double> positions = new EnumMap<>(ActuatorKind.class);
            putIfPresent(positions, ActuatorKind.HEATING, v.last("pipe_temperature").orElse(null));
            putIfPresent(positions, ActuatorKind.VENT, v.last("vent_opening").orElse(null));
            putIfPresent(positions, ActuatorKind.SCREEN, v.last("screen_position").orElse(null));
            return new Measured(v.windowId(), v.windowStart(), v.windowEnd(), climate, positions);
        });
    }

    private static void putIfPresent(Map<ActuatorKind, Double> m, ActuatorKind kind, Double v) {
        if (v != null) {
            m.put(kind, v);
        }
    }

    /** The zones of a greenhouse that have measured values. */
    public List<String> zones(String greenhouseId) {
        return guard(() -> online.zones(greenhouseId));
    }

    /** The reading event ids preprocess stored in the zone's window starting at {@code windowStart}. */
    public List<String> readingEventIds(String greenhouseId, String zoneId, Instant windowStart) {
        return guard(() -> online.readingEventIds(greenhouseId, zoneId, windowStart));
    }

    public Optional<CommandRecord> command(String commandId) {
        return Optional.ofNullable(guard(() -> commands.find(Filters.eq("_id", commandId)).first())).map(ControlStore::record);
    }

    /**
     * Stores {@code record} as pending unless a command with its id exists; returns the stored
     * command either way (the existing one when the id was taken).
     */
    public CommandRecord reserve(CommandRecord record) {
        try {
            guard(() -> commands.insertOne(document(record)));
            return record;
        } catch (ControlException e) {
            if (e.getCause() instanceof MongoWriteException w && w.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                return command(record.commandId()).orElseThrow(() -> e);
            }
            throw e;
        }
    }

    /** Marks reserved commands that lost the compare-and-set: they were never published and never will be. */
    public void supersede(List<String> commandIds) {
        if (!commandIds.isEmpty()) {
            guard(() -> commands.updateMany(Filters.and(Filters.in("_id", commandIds), Filters.eq("status", CommandRecord.PENDING)),
                    Updates.set("status", CommandRecord.SUPERSEDED)));
        }
    }

    public void markSent(String commandId) {
        guard(() -> commands.updateOne(Filters.eq("_id", commandId), Updates.set("status", CommandRecord.SENT)));
    }

    /** Records a gateway's acknowledgement; the first one counts, a repeat changes nothing. */
    public boolean acknowledge(String commandId, CommandRecord.Ack ack) {
        Document a = new Document("status", ack.status()).append("ackedAt", Date.from(ack.ackedAt()))
                .append("receivedAt", Date.from(ack.receivedAt())).append("keyId", ack.keyId());
        return guard(() -> commands.updateOne(Filters.and(Filters.eq("_id", commandId), Filters.exists("ack", false)),
                Updates.set("ack", a))).getModifiedCount() == 1;
    }

    /** Sent commands past their expiry with no acknowledgement, oldest first. */
    public List<CommandRecord> unacknowledged(String greenhouseId, Instant now, int limit) {
        List<Bson> filters = new ArrayList<>(List.of(Filters.exists("ack", false), Filters.lt("expiresAt", Date.from(now)),
                Filters.eq("status", CommandRecord.SENT)));
        if (greenhouseId != null) {
            filters.add(Filters.eq("greenhouseId", greenhouseId));
        }
        List<CommandRecord> out = new ArrayList<>();
        guard(() -> commands.find(Filters.and(filters)).sort(Sorts.ascending("expiresAt")).limit(limit).into(new ArrayList<>()))
                .forEach(d -> out.add(record(d)));
        return out;
    }

    public long countUnacknowledged(Instant now) {
        return guard(() -> commands.countDocuments(Filters.and(Filters.exists("ack", false),
                Filters.lt("expiresAt", Date.from(now)), Filters.eq("status", CommandRecord.SENT))));
    }

    public void ping() {
        guard(() -> client.getDatabase("admin").runCommand(new Document("ping", 1)));
    }

    static Document document(CommandRecord r) {
        Document d = new Document("_id", r.commandId()).append("greenhouseId", r.greenhouseId()).append("zoneId", r.zoneId())
                .append("actuator", r.actuator().wireName()).append("from", r.from()).append("value", r.value())
                .append("unit", r.actuator().unit()).append("mode", r.mode().wireName()).append("reason", r.reason())
                .append("issuedAt", Date.from(r.issuedAt())).append("expiresAt", Date.from(r.expiresAt()))
                .append("keyId", r.keyId()).append("status", r.status())
                .append("cause", new Document("eventId", r.cause().eventId()).append("type", r.cause().type())
                        .append("traceparent", r.cause().traceparent()))
                .append("payload", r.payload());
        if (r.prediction() != null) {
            CommandRecord.PredictionRef p = r.prediction();
            d.append("prediction", new Document("eventId", p.eventId()).append("modelName", p.modelName())
                    .append("modelVersion", p.modelVersion()).append("featureSpecVersion", p.featureSpecVersion())
                    .append("windowId", p.windowId()).append("windowEnd", Date.from(p.windowEnd())).append("usable", p.usable()));
        }
        if (r.window() != null) {
            CommandRecord.WindowRef w = r.window();
            d.append("window", new Document("windowId", w.windowId()).append("windowStart", Date.from(w.windowStart()))
                    .append("windowEnd", Date.from(w.windowEnd())).append("readingEventIds", w.readingEventIds()));
        }
        return d;
    }

    @SuppressWarnings("unchecked")
    static CommandRecord record(Document d) {
        Document c = d.get("cause", Document.class);
        Document p = d.get("prediction", Document.class);
        Document w = d.get("window", Document.class);
        Document a = d.get("ack", Document.class);
        return new CommandRecord(d.getString("_id"), d.getString("greenhouseId"), d.getString("zoneId"),
                ActuatorKind.fromWire(d.getString("actuator")), ((Number) d.get("from")).doubleValue(),
                ((Number) d.get("value")).doubleValue(), CommandMode.fromWire(d.getString("mode")), d.getString("reason"),
                instant(d, "issuedAt"), instant(d, "expiresAt"), d.getString("keyId"), d.getString("status"),
                new CommandRecord.Cause(c.getString("eventId"), c.getString("type"), c.getString("traceparent")),
                p == null ? null : new CommandRecord.PredictionRef(p.getString("eventId"), p.getString("modelName"),
                        p.getString("modelVersion"), p.getString("featureSpecVersion"), p.getString("windowId"),
                        instant(p, "windowEnd"), Boolean.TRUE.equals(p.getBoolean("usable"))),
                w == null ? null : new CommandRecord.WindowRef(w.getString("windowId"), instant(w, "windowStart"),
                        instant(w, "windowEnd"), (List<String>) w.get("readingEventIds")),
                d.getString("payload"),
                a == null ? null : new CommandRecord.Ack(a.getString("status"), instant(a, "ackedAt"),
                        instant(a, "receivedAt"), a.getString("keyId")));
    }

    private static Instant instant(Document d, String key) {
        Date date = d.getDate(key);
        return date == null ? null : date.toInstant();
    }

    static <T> T guard(Supplier<T> call) {
        try {
            return call.get();
        } catch (MongoException e) {
            throw new ControlException(ControlException.Kind.DEPENDENCY_FAILED, "MongoDB: " + e.getMessage(), e);
        }
    }
}
