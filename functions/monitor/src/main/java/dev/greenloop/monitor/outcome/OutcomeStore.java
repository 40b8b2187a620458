package dev.greenloop.monitor.outcome;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import dev.greenloop.clients.MongoConnections;
import dev.greenloop.clients.Settings;
import dev.greenloop.monitor.MonitorConfig;
import dev.greenloop.monitor.MonitorException;
import dev.greenloop.monitor.MonitorException.Kind;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.bson.Document;
import org.bson.conversions.Bson;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * monitor's state in MongoDB, all its own: {@code monitor_windows} (what each window measured,
 * keyed by window id), {@code monitor_pending} (predictions waiting for their target window,
 * keyed by prediction id), {@code monitor_outcomes} (one per prediction and target, keyed by
 * prediction id, target and horizon: inserted once, so redeliveries change nothing) and
 * {@code monitor_state} (the last decay event per greenhouse, for the cooldown) and
 * {@code monitor_models} (the champion and challenger last seen per greenhouse). Every insert is
 * idempotent; MongoDB's failures are answered 503 (Knative retries).
 */
@ApplicationScoped
public class OutcomeStore {

    private final MongoClient client;
    private final MongoCollection<Document> windows;
    private final MongoCollection<Document> pending;
    private final MongoCollection<Document> outcomes;
    private final MongoCollection<Document> state;
    private final MongoCollection<Document> models;

    @Inject
    public OutcomeStore(MonitorConfig config) {
        this(MongoConnections.create(config.mongodb().connectionString(), Settings.fromConfig()), config.mongodb().database());
    }

    OutcomeStore(MongoClient client, String database) {
        this.client = client;
        MongoDatabase db = client.getDatabase(database);
        this.windows = db.getCollection("monitor_windows");
        this.pending = db.getCollection("monitor_pending");
        this.outcomes = db.getCollection("monitor_outcomes");
        this.state = db.getCollection("monitor_state");
        this.models = db.getCollection("monitor_models");
        guard(() -> {
            windows.createIndex(new Document("greenhouseId", 1).append("zoneId", 1).append("windowEnd", 1));
            pending.createIndex(new Document("greenhouseId", 1).append("zoneId", 1).append("windowEnd", 1));
            pending.createIndex(new Document("greenhouseId", 1).append("zoneId", 1).append("targetTimes", 1));
            outcomes.createIndex(new Document("greenhouseId", 1).append("targetTime", 1));
            return null;
        });
    }

    /** Stores a window; false when it was stored before (a redelivery). */
    public boolean putWindow(Document window) {
        return insert(windows, window);
    }

    public Optional<Document> window(String greenhouse, String zone, Instant end) {
        return guard(() -> Optional.ofNullable(windows.find(Filters.eq("_id", windowKey(greenhouse, zone, end))).first()));
    }

    /**
     * The key of a stored window: greenhouse, zone and end, so the joins find a window by its key
     * (one index lookup on any MongoDB, including servers that index nothing but {@code _id}).
     */
    public static String windowKey(String greenhouse, String zone, Instant end) {
        return greenhouse + "/" + zone + "/" + end.toEpochMilli();
    }

    /** The greenhouse's windows that ended at or after {@code since}. */
    public List<Document> windowsSince(String greenhouse, Instant since) {
        return guard(() -> windows.find(Filters.and(Filters.eq("greenhouseId", greenhouse),
                Filters.gte("windowEnd", Date.from(since)))).into(new ArrayList<>()));
    }

    /** The end of the greenhouse's newest window: the greenhouse's "now" in event time. */
    public Optional<Instant> latestWindowEnd(String greenhouse) {
        return guard(() -> Optional.ofNullable(windows.find(Filters.eq("greenhouseId", greenhouse))
                .sort(Sorts.descending("windowEnd")).first()).map(d -> d.getDate("windowEnd").toInstant()));
    }

    /** Remembers the model that serves a greenhouse in a role ({@code champion}, {@code challenger}). */
    public void noteModel(String greenhouse, String role, String modelName, String modelVersion) {
        guard(() -> models.updateOne(Filters.eq("_id", greenhouse + ":" + role), new Document("$set",
                new Document("greenhouseId", greenhouse).append("role", role).append("modelName", modelName)
                        .append("modelVersion", modelVersion)), new com.mongodb.client.model.UpdateOptions().upsert(true)));
    }

    /** The model last seen serving the greenhouse in {@code role}: its name and version. */
    public Optional<String[]> model(String greenhouse, String role) {
        return guard(() -> Optional.ofNullable(models.find(Filters.eq("_id", greenhouse + ":" + role)).first())
                .map(d -> new String[] {d.getString("modelName"), d.getString("modelVersion")}));
    }

    /** Stores a waiting prediction; false when it was stored before. */
    public boolean putPending(Document prediction) {
        return insert(pending, prediction);
    }

    /** Waiting predictions of the zone made from, or aimed at, the window ending at {@code end}. */
    public List<Document> pendingTouching(String greenhouse, String zone, Instant end) {
        Date at = Date.from(end);
        return guard(() -> pending.find(Filters.and(Filters.eq("greenhouseId", greenhouse), Filters.eq("zoneId", zone),
                Filters.or(Filters.eq("windowEnd", at), Filters.eq("targetTimes", at)))).into(new ArrayList<>()));
    }

    /** Waiting predictions of the greenhouse (one zone, when given) whose last target time is before {@code cutoff}. */
    public List<Document> pendingDueBefore(String greenhouse, String zone, Instant cutoff) {
        Bson filter = Filters.and(Filters.eq("greenhouseId", greenhouse), Filters.lt("lastTargetTime", Date.from(cutoff)));
        Bson scoped = zone == null ? filter : Filters.and(filter, Filters.eq("zoneId", zone));
        return guard(() -> pending.find(scoped).into(new ArrayList<>()));
    }

    public void deletePending(String id) {
        guard(() -> pending.deleteOne(Filters.eq("_id", id)));
    }

    /** Stores an outcome; false when this prediction's target was judged before. */
    public boolean putOutcome(Document outcome) {
        return insert(outcomes, outcome);
    }

    /** The greenhouse's outcomes with a target time at or after {@code since}, narrowed by the optional filters. */
    public List<Document> outcomes(String greenhouse, Instant since, String zone, String target, String modelVersion) {
        List<Bson> filters = new ArrayList<>(List.of(Filters.eq("greenhouseId", greenhouse),
                Filters.gte("targetTime", Date.from(since))));
        if (zone != null) {
            filters.add(Filters.eq("zoneId", zone));
        }
        if (target != null) {
            filters.add(Filters.eq("target", target));
        }
        if (modelVersion != null) {
            filters.add(Filters.eq("modelVersion", modelVersion));
        }
        return guard(() -> outcomes.find(Filters.and(filters)).into(new ArrayList<>()));
    }

    /**
     * Takes the greenhouse's decay slot at {@code now} if the last one is at least
     * {@code cooldown} old: true for exactly one caller per cooldown.
     */
    public boolean claimDecay(String greenhouse, Instant now, java.time.Duration cooldown, Document event) {
        Date before = Date.from(now.minus(cooldown));
        return guard(() -> {
            Document current = state.find(Filters.eq("_id", greenhouse)).first();
            if (current == null) {
                return insert(state, new Document("_id", greenhouse).append("lastDecayAt", Date.from(now)).append("last", event));
            }
            return state.updateOne(Filters.and(Filters.eq("_id", greenhouse), Filters.lte("lastDecayAt", before)),
                    new Document("$set", new Document("lastDecayAt", Date.from(now)).append("last", event)))
                    .getModifiedCount() == 1;
        });
    }

    /** The greenhouse's last decay event, if any. */
    public Optional<Document> lastDecay(String greenhouse) {
        return guard(() -> Optional.ofNullable(state.find(Filters.eq("_id", greenhouse)).first()).map(d -> d.get("last", Document.class)));
    }

    /** Removes windows and outcomes older than {@code before}. */
    public void purge(String greenhouse, Instant before) {
        Date cut = Date.from(before);
        guard(() -> {
            windows.deleteMany(Filters.and(Filters.eq("greenhouseId", greenhouse), Filters.lt("windowEnd", cut)));
            outcomes.deleteMany(Filters.and(Filters.eq("greenhouseId", greenhouse), Filters.lt("targetTime", cut)));
            return null;
        });
    }

    public void ping() {
        client.getDatabase("admin").runCommand(new Document("ping", 1));
    }

    private static boolean insert(MongoCollection<Document> collection, Document doc) {
        try {
            collection.insertOne(doc);
            return true;
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                return false;
            }
            throw unavailable(e);
        } catch (MongoException e) {
            throw unavailable(e);
        }
    }

    private static <T> T guard(Supplier<T> call) {
        try {
            return call.get();
        } catch (MongoException e) {
            throw unavailable(e);
        }
    }

    private static MonitorException unavailable(MongoException e) {
        return new MonitorException(Kind.DEPENDENCY_FAILED, "MongoDB: " + e.getMessage(), e);
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
