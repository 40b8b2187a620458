package dev.greenloop.monitor.outcome;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoException;
import com.mongodb.MongoWriteException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.Projections;
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
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * monitor's state in MongoDB, all its own: {@code monitor_windows} (what each window measured,
 * keyed by window id), {@code monitor_pending} (predictions waiting for their target window,
 * keyed by prediction id), {@code monitor_outcomes} (one per prediction and target, keyed by
 * prediction id, target and horizon: inserted once, so redeliveries change nothing) and
 * {@code monitor_state} (the last decay event per greenhouse, for the cooldown) and
 * {@code monitor_models} (the champion and challenger last seen per greenhouse). Every insert is
 * idempotent; MongoDB's failures are answered 503 (Knative retries).
 *
 * <p>The calls an event makes (store a window or a prediction, find what waits for a window,
 * read a window, write an outcome, drop what was resolved) go through {@link GroupCommit}: the
 * events a busy monitor handles at the same time share one MongoDB call per kind, and each
 * request still returns only once its own writes are stored. What the windows measured is also
 * kept in memory ({@link #RECENT_WINDOWS} of them, the newest), as windows never change once
 * stored: a join finds its windows there first, and in MongoDB, the truth shared by every
 * replica, when they are not.
 */
@ApplicationScoped
public class OutcomeStore {

    private final MongoClient client;
    private final MongoCollection<Document> windows;
    private final MongoCollection<Document> pending;
    private final MongoCollection<Document> outcomes;
    private final MongoCollection<Document> state;
    private final MongoCollection<Document> models;

    /** Calls carried out together at most; a batch of windows is then about 0.7 MB. */
    static final int MAX_BATCH = 256;
    /** The windows whose measurements are kept in memory: at 8 zones, about a day and a half. */
    static final int RECENT_WINDOWS = 16_384;

    private record Touch(String greenhouse, String zone, Date at) {
    }

    private final GroupCommit<Document, Boolean> windowInserts;
    private final GroupCommit<Document, Boolean> pendingInserts;
    private final GroupCommit<Document, Boolean> outcomeInserts;
    private final GroupCommit<String, Boolean> pendingDeletes;
    private final GroupCommit<String, Optional<Document>> windowReads;
    private final GroupCommit<Touch, List<Document>> touching;
    private final java.util.Map<String, Document> recent = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(1024, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(java.util.Map.Entry<String, Document> eldest) {
                    return size() > RECENT_WINDOWS;
                }
            });

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
        this.windowInserts = new GroupCommit<>("window-inserts", MAX_BATCH, docs -> insertAll(windows, docs));
        this.pendingInserts = new GroupCommit<>("prediction-inserts", MAX_BATCH, docs -> insertAll(pending, docs));
        this.outcomeInserts = new GroupCommit<>("outcome-inserts", MAX_BATCH, docs -> insertAll(outcomes, docs));
        this.pendingDeletes = new GroupCommit<>("prediction-deletes", MAX_BATCH, this::deleteAll);
        this.windowReads = new GroupCommit<>("window-reads", MAX_BATCH, this::readAll);
        this.touching = new GroupCommit<>("pending-reads", MAX_BATCH, this::touchingAll);
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
        boolean inserted = windowInserts.submit(window);
        remember(window);
        return inserted;
    }

    /** What the zone's window ending at {@code end} measured (its {@code targets}), if it has come. */
    public Optional<Document> measured(String greenhouse, String zone, Instant end) {
        String key = windowKey(greenhouse, zone, end);
        Document known = recent.get(key);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<Document> stored = windowReads.submit(key);
        stored.ifPresent(this::remember);
        return stored.map(w -> w.get("targets", Document.class));
    }

    private void remember(Document window) {
        Document targets = window.get("targets", Document.class);
        if (targets != null) {
            recent.put(window.getString("_id"), targets);
        }
    }

    /**
     * The key of a stored window: greenhouse, zone and end, so the joins find a window by its key
     * (one index lookup on any MongoDB, including servers that index nothing but {@code _id}).
     */
    public static String windowKey(String greenhouse, String zone, Instant end) {
        return greenhouse + "/" + zone + "/" + end.toEpochMilli();
    }

    /**
     * Hands each of the greenhouse's windows that ended in {@code [from, to]} to {@code each}, as
     * the cursor reads them (only their feature names, spec version and values), so that no more
     * than a batch of them is in memory at once.
     *
     * @return how many windows were handed over
     */
    public long forEachWindow(String greenhouse, Instant from, Instant to, Consumer<Document> each) {
        return guard(() -> {
            long n = 0;
            for (Document w : windows.find(Filters.and(Filters.eq("greenhouseId", greenhouse),
                            Filters.gte("windowEnd", Date.from(from)), Filters.lte("windowEnd", Date.from(to))))
                    .projection(Projections.include("featureNames", "featureSpecVersion", "values"))) {
                each.accept(w);
                n++;
            }
            return n;
        });
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
        return pendingInserts.submit(prediction);
    }

    /** Waiting predictions of the zone made from, or aimed at, the window ending at {@code end}. */
    public List<Document> pendingTouching(String greenhouse, String zone, Instant end) {
        return touching.submit(new Touch(greenhouse, zone, Date.from(end)));
    }

    /** Waiting predictions of the greenhouse (one zone, when given) whose last target time is before {@code cutoff}. */
    public List<Document> pendingDueBefore(String greenhouse, String zone, Instant cutoff) {
        Bson filter = Filters.and(Filters.eq("greenhouseId", greenhouse), Filters.lt("lastTargetTime", Date.from(cutoff)));
        Bson scoped = zone == null ? filter : Filters.and(filter, Filters.eq("zoneId", zone));
        return guard(() -> pending.find(scoped).into(new ArrayList<>()));
    }

    public void deletePending(String id) {
        pendingDeletes.submit(id);
    }

    /** Stores an outcome; false when this prediction's target was judged before. */
    public boolean putOutcome(Document outcome) {
        return outcomeInserts.submit(outcome);
    }

    /** What {@link Accuracy} reads of an outcome. */
    private static final Bson ACCURACY_FIELDS = Projections.include("zoneId", "target", "horizonMinutes", "modelVersion",
            "role", "targetTime", "actual", "predicted", "low", "high", "persistence");

    /**
     * Hands each of the greenhouse's outcomes with a target time at or after {@code since},
     * narrowed by the optional filters, to {@code each} as the cursor reads them (only what
     * {@link Accuracy} reads of them), so that a period of any length is summed in the same memory.
     */
    public void forEachOutcome(String greenhouse, Instant since, String zone, String target, String modelVersion,
                               Consumer<Document> each) {
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
        guard(() -> {
            outcomes.find(Filters.and(filters)).projection(ACCURACY_FIELDS).forEach(each);
            return null;
        });
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

    /** Inserts the batch, in no particular order: for each document, true, or false when its id was stored before. */
    private static List<Boolean> insertAll(MongoCollection<Document> collection, List<Document> docs) {
        List<Boolean> inserted = new ArrayList<>(java.util.Collections.nCopies(docs.size(), Boolean.TRUE));
        try {
            collection.insertMany(docs, new InsertManyOptions().ordered(false));
        } catch (MongoBulkWriteException e) {
            if (e.getWriteConcernError() != null) {
                throw unavailable(e);
            }
            for (BulkWriteError error : e.getWriteErrors()) {
                if (ErrorCategory.fromErrorCode(error.getCode()) != ErrorCategory.DUPLICATE_KEY) {
                    throw unavailable(e);
                }
                inserted.set(error.getIndex(), Boolean.FALSE);
            }
        } catch (MongoException e) {
            throw unavailable(e);
        }
        return inserted;
    }

    private List<Boolean> deleteAll(List<String> ids) {
        // One delete by _id each, in one bulk call: a filter on _id alone is answered from its index everywhere.
        List<DeleteOneModel<Document>> deletes = new ArrayList<>(ids.size());
        for (String id : new java.util.LinkedHashSet<>(ids)) {
            deletes.add(new DeleteOneModel<>(Filters.eq("_id", id)));
        }
        guard(() -> pending.bulkWrite(deletes, new BulkWriteOptions().ordered(false)));
        return java.util.Collections.nCopies(ids.size(), Boolean.TRUE);
    }

    /**
     * Reads the batch's windows one {@code _id} at a time: a lookup by {@code _id} is the one
     * every MongoDB-wire server answers from its index ({@code $in} is a scan on some).
     */
    private List<Optional<Document>> readAll(List<String> keys) {
        java.util.Map<String, Optional<Document>> found = new java.util.HashMap<>();
        List<Optional<Document>> result = new ArrayList<>(keys.size());
        for (String key : keys) {
            result.add(found.computeIfAbsent(key, k -> guard(() -> Optional.ofNullable(
                    windows.find(Filters.eq("_id", k)).projection(new Document("targets", 1)).first()))));
        }
        return result;
    }

    private List<List<Document>> touchingAll(List<Touch> touches) {
        java.util.Set<Touch> distinct = new java.util.LinkedHashSet<>(touches);
        List<Bson> either = new ArrayList<>(distinct.size());
        for (Touch t : distinct) {
            either.add(Filters.and(Filters.eq("greenhouseId", t.greenhouse()), Filters.eq("zoneId", t.zone()),
                    Filters.or(Filters.eq("windowEnd", t.at()), Filters.eq("targetTimes", t.at()))));
        }
        List<Document> found = guard(() -> pending.find(either.size() == 1 ? either.get(0) : Filters.or(either))
                .into(new ArrayList<>()));
        List<List<Document>> result = new ArrayList<>(touches.size());
        for (Touch t : touches) {
            List<Document> mine = new ArrayList<>();
            for (Document p : found) {
                if (t.greenhouse().equals(p.getString("greenhouseId")) && t.zone().equals(p.getString("zoneId"))
                        && (t.at().equals(p.getDate("windowEnd")) || p.getList("targetTimes", Date.class).contains(t.at()))) {
                    mine.add(p);
                }
            }
            result.add(mine);
        }
        return result;
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
        for (GroupCommit<?, ?> stage : List.of(windowInserts, pendingInserts, outcomeInserts, pendingDeletes, windowReads, touching)) {
            stage.close();
        }
        client.close();
    }
}
