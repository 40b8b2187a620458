package dev.greenloop.preprocess.store;

import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import dev.greenloop.clients.MongoConnections;
import dev.greenloop.clients.Settings;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.onlinestore.OnlineStore;
import dev.greenloop.onlinestore.OnlineVector;
import dev.greenloop.features.RawReading;
import dev.greenloop.features.Signal;
import dev.greenloop.preprocess.PreprocessConfig;
import dev.greenloop.preprocess.PreprocessException;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.Document;
import org.bson.conversions.Bson;

import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The streaming state in MongoDB, written so that a redelivered event changes nothing:
 * <ul>
 *   <li>{@code windows}: one document per zone and window,
 *       {@code {_id: "g/z/start", greenhouseId, zoneId, start, r: {"<signal>:<offset>": value}, events: [ids]}};
 *       a reading is a field keyed by signal and time, so writing it twice is writing it once. The
 *       key and {@code events} (lineage) are the online store's contract ({@link OnlineStore}),
 *       {@code r} is preprocess's own;</li>
 *   <li>{@code zones}: {@code {_id: "g/z", watermark, lastEmitted}}, both only ever raised ({@code $max});</li>
 *   <li>{@code online_features}: the latest feature vector per zone, through {@link OnlineStore}.</li>
 * </ul>
 * No transactions and no TTL are needed for correctness. Blocking; call from worker threads.
 */
@ApplicationScoped
public class WindowStore {

    private final MongoClient client;
    private final MongoCollection<Document> windows;
    private final MongoCollection<Document> zones;
    private final OnlineStore onlineStore;
    private static final Signal[] SIGNALS = Signal.values();
    private final FeatureSpec spec = FeatureSpec.V1;

    public WindowStore(PreprocessConfig config) {
        this.client = MongoConnections.create(config.mongodb().connectionString(), Settings.fromConfig());
        var db = client.getDatabase(config.mongodb().database());
        this.windows = db.getCollection(OnlineStore.WINDOWS);
        this.zones = db.getCollection("zones");
        this.onlineStore = new OnlineStore(db);
    }

    public static String zoneKey(String greenhouseId, String zoneId) {
        return OnlineStore.zoneKey(greenhouseId, zoneId);
    }

    public ZoneState state(String zoneKey) {
        return guard(() -> {
            Document doc = zones.find(Filters.eq("_id", zoneKey)).first();
            if (doc == null) {
                return ZoneState.NEW;
            }
            return new ZoneState(longOr(doc, "watermark"), longOr(doc, "lastEmitted"));
        });
    }

    /** Stores {@code readings} of event {@code eventId} in their windows. */
    public void store(String greenhouseId, String zoneId, List<RawReading> readings, String eventId) {
        if (readings.isEmpty()) {
            return;
        }
        Map<Long, List<RawReading>> byWindow = new LinkedHashMap<>();
        for (RawReading r : readings) {
            byWindow.computeIfAbsent(spec.windowStart(r.epochMillis()), k -> new ArrayList<>()).add(r);
        }
        String zoneKey = zoneKey(greenhouseId, zoneId);
        List<WriteModel<Document>> writes = new ArrayList<>(byWindow.size());
        byWindow.forEach((start, rs) -> {
            List<Bson> updates = new ArrayList<>(rs.size() + 4);
            updates.add(Updates.setOnInsert("greenhouseId", greenhouseId));
            updates.add(Updates.setOnInsert("zoneId", zoneId));
            updates.add(Updates.setOnInsert("start", start));
            for (RawReading r : rs) {
                updates.add(Updates.set("r." + field(r, start), r.value()));
            }
            updates.add(Updates.addToSet(OnlineStore.EVENTS, eventId));
            writes.add(new UpdateOneModel<>(Filters.eq("_id", OnlineStore.windowKey(greenhouseId, zoneId, start)),
                    Updates.combine(updates),
                    new UpdateOptions().upsert(true)));
        });
        guard(() -> windows.bulkWrite(writes));
    }

    /**
     * Raises the zone's watermark and the start of its last emitted window (neither is ever
     * lowered), in one write.
     */
    public void advance(String zoneKey, long watermark, long lastEmitted) {
        guard(() -> zones.updateOne(Filters.eq("_id", zoneKey), Updates.combine(Updates.max("watermark", watermark),
                Updates.max("lastEmitted", lastEmitted)), new UpdateOptions().upsert(true)));
    }

    /** A window's lookback: its readings, and the ids of the events stored in the window itself. */
    public record Lookback(List<RawReading> readings, List<String> windowEventIds) {
    }

    /**
     * The zone's readings of the windows starting in {@code [fromWindow, windowStart]}, and the
     * event ids of window {@code windowStart} (lineage), in one query.
     */
    @SuppressWarnings("unchecked")
    public Lookback lookback(String zoneKey, long fromWindow, long windowStart) {
        return guard(() -> {
            List<String> ids = new ArrayList<>();
            for (long start = fromWindow; start <= windowStart; start += spec.windowMillis()) {
                ids.add(zoneKey + "/" + start);
            }
            List<RawReading> out = new ArrayList<>();
            List<String> events = List.of();
            // Exact ids rather than a range: every lookup is by the _id index.
            for (Document doc : windows.find(Filters.in("_id", ids))) {
                Document r = doc.get("r", Document.class);
                long start = ((Number) doc.get("start")).longValue();
                if (r != null) {
                    for (Map.Entry<String, Object> e : r.entrySet()) {
                        String key = e.getKey();
                        int colon = key.indexOf(':');
                        out.add(new RawReading(SIGNALS[Integer.parseInt(key, 0, colon, 10)],
                                start + Long.parseLong(key, colon + 1, key.length(), 10), ((Number) e.getValue()).doubleValue()));
                    }
                }
                if (start == windowStart && doc.get(OnlineStore.EVENTS) != null) {
                    events = List.copyOf((List<String>) doc.get(OnlineStore.EVENTS));
                }
            }
            return new Lookback(out, events);
        });
    }

    /** Keeps {@code vector} as its zone's latest features, unless a newer window is stored already. */
    public void storeOnline(OnlineVector vector) {
        guard(() -> onlineStore.put(vector));
    }

    /** The online feature store (the contract control reads). */
    public OnlineStore onlineStore() {
        return onlineStore;
    }

    public void ping() {
        client.getDatabase("admin").runCommand(new Document("ping", 1));
    }

    /**
     * A reading's field in its window document: {@code <signal ordinal>:<millis into the window>}.
     * Short, so that reading 76 windows back stays cheap; the signal order is fixed by the spec.
     */
    static String field(RawReading r, long windowStart) {
        return r.signal().ordinal() + ":" + (r.epochMillis() - windowStart);
    }

    private static long longOr(Document doc, String key) {
        Object v = doc.get(key);
        return v instanceof Number n ? n.longValue() : Long.MIN_VALUE;
    }

    private static <T> T guard(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (MongoException e) {
            throw new PreprocessException(PreprocessException.Kind.STORE_UNAVAILABLE, "MongoDB: " + e.getMessage(), e);
        }
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
