package dev.greenloop.preprocess.store;

import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
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
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
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
    private static final Bson LOOKBACK_FIELDS = Projections.include("start", "r", OnlineStore.EVENTS);
    private final Counter cachedWindows;
    private final Counter storedWindows;
    private final FeatureSpec spec = FeatureSpec.CURRENT;

    public WindowStore(PreprocessConfig config, MeterRegistry registry) {
        this.client = MongoConnections.create(config.mongodb().connectionString(), Settings.fromConfig());
        var db = client.getDatabase(config.mongodb().database());
        this.windows = db.getCollection(OnlineStore.WINDOWS);
        this.zones = db.getCollection("zones");
        this.onlineStore = new OnlineStore(db);
        this.cachedWindows = lookbackWindows(registry, "cache");
        this.storedWindows = lookbackWindows(registry, "store");
    }

    /** {@code greenloop_preprocess_lookback_windows_total{source="cache"|"store"}}: where lookback windows came from. */
    private static Counter lookbackWindows(MeterRegistry registry, String source) {
        return Counter.builder("greenloop.preprocess.lookback.windows")
                .description("Windows of closing windows' lookbacks, by where they were read: this instance's cache or MongoDB")
                .tag("source", source).register(registry);
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
     * event ids of window {@code windowStart} (lineage), read from MongoDB in one query.
     */
    public Lookback lookback(String zoneKey, long fromWindow, long windowStart) {
        return lookback(zoneKey, fromWindow, windowStart, LookbackCache.none());
    }

    /**
     * As {@link #lookback(String, long, long)}, taking the windows {@code cache} holds from it and
     * reading only the others, in one query; those read are handed to the cache. Every window
     * asked for must be closed.
     */
    @SuppressWarnings("unchecked")
    public Lookback lookback(String zoneKey, long fromWindow, long windowStart, LookbackCache.Session cache) {
        List<String> events = List.of();
        Map<String, Long> missing = new LinkedHashMap<>();
        List<LookbackCache.Packed> hits = new ArrayList<>(spec.lookbackWindows());
        int size = 0;
        for (long start = fromWindow; start <= windowStart; start += spec.windowMillis()) {
            LookbackCache.Packed cached = cache.get(start);
            if (cached == null) {
                missing.put(zoneKey + "/" + start, start);
            } else {
                hits.add(cached);
                size += cached.size();
                if (start == windowStart) {
                    events = cached.events();
                }
            }
        }
        List<RawReading> out = new ArrayList<>(size + missing.size() * 128);
        hits.forEach(h -> h.addTo(out));
        cachedWindows.increment(hits.size());
        if (missing.isEmpty()) {
            return new Lookback(out, events);
        }
        storedWindows.increment(missing.size());
        List<String> windowEvents = guard(() -> {
            List<String> found = null;
            // Exact ids rather than a range: every lookup is by the _id index. Only the fields used.
            for (Document doc : windows.find(Filters.in("_id", missing.keySet())).projection(LOOKBACK_FIELDS)) {
                long start = ((Number) doc.get("start")).longValue();
                missing.remove(doc.getString("_id"));
                Document r = doc.get("r", Document.class);
                List<RawReading> readings = new ArrayList<>(r == null ? 0 : r.size());
                if (r != null) {
                    for (Map.Entry<String, Object> e : r.entrySet()) {
                        String key = e.getKey();
                        int colon = key.indexOf(':');
                        readings.add(new RawReading(SIGNALS[Integer.parseInt(key, 0, colon, 10)],
                                start + Long.parseLong(key, colon + 1, key.length(), 10), ((Number) e.getValue()).doubleValue()));
                    }
                }
                out.addAll(readings);
                List<String> ids = doc.get(OnlineStore.EVENTS) == null ? List.of() : (List<String>) doc.get(OnlineStore.EVENTS);
                cache.read(start, LookbackCache.Packed.of(readings, ids));
                if (start == windowStart) {
                    found = List.copyOf(ids);
                }
            }
            return found;
        });
        // Windows without a document have no readings; closed, they never will.
        missing.values().forEach(start -> cache.read(start, LookbackCache.Packed.of(List.of(), List.of())));
        return new Lookback(out, windowEvents != null ? windowEvents : events);
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
    public void close() {
        client.close();
    }
}
