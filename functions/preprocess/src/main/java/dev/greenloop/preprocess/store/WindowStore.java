package dev.greenloop.preprocess.store;

import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import dev.greenloop.features.FeatureSpec;
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
 *       {@code {_id: "g/z/start", greenhouseId, zoneId, start, r: {"<signal>|<millis>": value}, events: [ids]}};
 *       a reading is a field keyed by signal and time, so writing it twice is writing it once;</li>
 *   <li>{@code zones}: {@code {_id: "g/z", watermark, lastEmitted}}, both only ever raised ({@code $max});</li>
 *   <li>{@code online_features}: the latest feature vector per zone.</li>
 * </ul>
 * No transactions and no TTL are needed for correctness. Blocking; call from worker threads.
 */
@ApplicationScoped
public class WindowStore {

    private final MongoClient client;
    private final MongoCollection<Document> windows;
    private final MongoCollection<Document> zones;
    private final MongoCollection<Document> online;
    private final FeatureSpec spec = FeatureSpec.V1;

    public WindowStore(PreprocessConfig config) {
        this.client = MongoClients.create(config.mongodb().connectionString());
        var db = client.getDatabase(config.mongodb().database());
        this.windows = db.getCollection("windows");
        this.zones = db.getCollection("zones");
        this.online = db.getCollection("online_features");
    }

    public static String zoneKey(String greenhouseId, String zoneId) {
        return greenhouseId + "/" + zoneId;
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
                updates.add(Updates.set("r." + field(r), r.value()));
            }
            updates.add(Updates.addToSet("events", eventId));
            writes.add(new UpdateOneModel<>(Filters.eq("_id", zoneKey + "/" + start), Updates.combine(updates),
                    new UpdateOptions().upsert(true)));
        });
        guard(() -> windows.bulkWrite(writes));
    }

    /** Raises the zone's watermark to {@code watermark} (never lowers it). */
    public void raiseWatermark(String zoneKey, long watermark) {
        guard(() -> zones.updateOne(Filters.eq("_id", zoneKey), Updates.max("watermark", watermark),
                new UpdateOptions().upsert(true)));
    }

    /** Records that the window starting at {@code windowStart} was emitted. */
    public void markEmitted(String zoneKey, long windowStart) {
        guard(() -> zones.updateOne(Filters.eq("_id", zoneKey), Updates.max("lastEmitted", windowStart),
                new UpdateOptions().upsert(true)));
    }

    /** The zone's readings with windows starting in {@code [fromWindow, toWindow)}. */
    public List<RawReading> readings(String zoneKey, long fromWindow, long toWindow) {
        return guard(() -> {
            List<String> ids = new ArrayList<>();
            for (long start = fromWindow; start < toWindow; start += spec.windowMillis()) {
                ids.add(zoneKey + "/" + start);
            }
            List<RawReading> out = new ArrayList<>();
            // Exact ids rather than a range: every lookup is by the _id index.
            for (Document doc : windows.find(Filters.in("_id", ids)).sort(Sorts.ascending("start"))) {
                Document r = doc.get("r", Document.class);
                if (r == null) {
                    continue;
                }
                for (Map.Entry<String, Object> e : r.entrySet()) {
                    int bar = e.getKey().indexOf('|');
                    out.add(new RawReading(Signal.valueOf(e.getKey().substring(0, bar)),
                            Long.parseLong(e.getKey().substring(bar + 1)), ((Number) e.getValue()).doubleValue()));
                }
            }
            return out;
        });
    }

    /** Ids of the readings events stored in one window (lineage). */
    @SuppressWarnings("unchecked")
    public List<String> eventIds(String zoneKey, long windowStart) {
        return guard(() -> {
            Document doc = windows.find(Filters.eq("_id", zoneKey + "/" + windowStart)).first();
            return doc == null || doc.get("events") == null ? List.of() : List.copyOf((List<String>) doc.get("events"));
        });
    }

    /** Keeps {@code vector} as the zone's latest features, unless a newer window is stored already. */
    public void storeOnline(String zoneKey, String windowId, long windowStart, List<String> names, List<Double> values) {
        Document doc = new Document("_id", zoneKey).append("windowId", windowId).append("windowStart", windowStart)
                .append("windowEnd", new Date(windowStart + spec.windowMillis())).append("featureSpecVersion", spec.version())
                .append("names", names).append("values", values);
        guard(() -> {
            Document current = online.find(Filters.eq("_id", zoneKey)).first();
            if (current == null || longOr(current, "windowStart") < windowStart) {
                online.replaceOne(Filters.eq("_id", zoneKey), doc, new ReplaceOptions().upsert(true));
            }
            return null;
        });
    }

    /** The zone's latest features, or null. */
    public Document online(String zoneKey) {
        return guard(() -> online.find(Filters.eq("_id", zoneKey)).first());
    }

    public void ping() {
        client.getDatabase("admin").runCommand(new Document("ping", 1));
    }

    static String field(RawReading r) {
        return r.signal().name() + "|" + r.epochMillis();
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
