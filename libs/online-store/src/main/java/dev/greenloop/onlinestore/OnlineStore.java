package dev.greenloop.onlinestore;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import dev.greenloop.events.Topics;
import org.bson.Document;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The online feature store, the one contract between the function that writes it (preprocess)
 * and those that read it (control): two MongoDB collections whose document shapes are defined
 * here and nowhere else.
 * <ul>
 *   <li>{@value #ONLINE_FEATURES}: per zone ({@code _id} {@code greenhouseId/zoneId}) the
 *   {@link OnlineVector} of its newest window; an older window never replaces a newer one.</li>
 *   <li>{@value #WINDOWS}: per zone and window ({@code _id} {@code greenhouseId/zoneId/<start
 *   epoch ms>}) the ids of the reading events stored in it, in {@value #EVENTS} (lineage);
 *   preprocess keeps its window state in the same documents, under fields of its own.</li>
 * </ul>
 * MongoDB errors propagate ({@code MongoException}); callers say what they mean for them.
 */
public final class OnlineStore {

    public static final String ONLINE_FEATURES = "online_features";
    public static final String WINDOWS = "windows";
    /** The field of a {@value #WINDOWS} document that holds its reading event ids. */
    public static final String EVENTS = "events";

    private final MongoCollection<Document> online;
    private final MongoCollection<Document> windows;

    public OnlineStore(MongoDatabase database) {
        this.online = database.getCollection(ONLINE_FEATURES);
        this.windows = database.getCollection(WINDOWS);
    }

    /** {@code greenhouseId/zoneId}: the key of a zone's documents. */
    public static String zoneKey(String greenhouseId, String zoneId) {
        return Topics.zoneKey(greenhouseId, zoneId);
    }

    /** The {@code _id} of a zone's window document. */
    public static String windowKey(String greenhouseId, String zoneId, long windowStartMillis) {
        return zoneKey(greenhouseId, zoneId) + "/" + windowStartMillis;
    }

    /**
     * Keeps {@code vector} as its zone's latest, unless a vector of a newer (or the same) window
     * is stored already. Returns whether it was stored.
     */
    public boolean put(OnlineVector vector) {
        String key = zoneKey(vector.greenhouseId(), vector.zoneId());
        Document doc = new Document("_id", key).append("greenhouseId", vector.greenhouseId())
                .append("zoneId", vector.zoneId()).append("windowId", vector.windowId())
                .append("windowStart", vector.windowStart().toEpochMilli()).append("windowEnd", Date.from(vector.windowEnd()))
                .append("featureSpecVersion", vector.featureSpecVersion()).append("names", vector.names())
                .append("values", vector.values());
        try {
            // Replaces an older vector; when a newer one is there the upsert's insert hits the
            // unique _id and is refused, which is the answer we want.
            online.replaceOne(Filters.and(Filters.eq("_id", key),
                    Filters.lt("windowStart", vector.windowStart().toEpochMilli())), doc, new ReplaceOptions().upsert(true));
            return true;
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() != ErrorCategory.DUPLICATE_KEY) {
                throw e;
            }
            return false;
        }
    }

    /** The zone's latest vector, or empty when none is stored. */
    @SuppressWarnings("unchecked")
    public Optional<OnlineVector> latest(String greenhouseId, String zoneId) {
        Document doc = online.find(Filters.eq("_id", zoneKey(greenhouseId, zoneId))).first();
        if (doc == null || !(doc.get("names") instanceof List<?>) || !(doc.get("values") instanceof List<?>)) {
            return Optional.empty();
        }
        List<String> names = (List<String>) doc.get("names");
        List<Double> values = new ArrayList<>();
        for (Object v : (List<Object>) doc.get("values")) {
            values.add(v instanceof Number n ? n.doubleValue() : null);
        }
        Instant start = Instant.ofEpochMilli(((Number) doc.get("windowStart")).longValue());
        Date end = doc.getDate("windowEnd");
        return Optional.of(new OnlineVector(greenhouseId, zoneId, doc.getString("windowId"), start,
                end != null ? end.toInstant() : start, doc.getString("featureSpecVersion"), names, values));
    }

    /** The zones of {@code greenhouseId} that have a vector. */
    public List<String> zones(String greenhouseId) {
        String prefix = greenhouseId + "/";
        List<String> out = new ArrayList<>();
        for (Document doc : online.find(Filters.regex("_id", "^" + Pattern.quote(prefix))).projection(new Document("_id", 1))) {
            out.add(doc.getString("_id").substring(prefix.length()));
        }
        return out;
    }

    /** Adds reading event ids to a window's lineage (the window document is made when missing). */
    public void addWindowEvents(String greenhouseId, String zoneId, long windowStartMillis, List<String> eventIds) {
        windows.updateOne(Filters.eq("_id", windowKey(greenhouseId, zoneId, windowStartMillis)),
                Updates.addEachToSet(EVENTS, eventIds), new UpdateOptions().upsert(true));
    }

    /** The reading event ids stored in the zone's window starting at {@code windowStart}. */
    @SuppressWarnings("unchecked")
    public List<String> readingEventIds(String greenhouseId, String zoneId, Instant windowStart) {
        Document doc = windows.find(Filters.eq("_id", windowKey(greenhouseId, zoneId, windowStart.toEpochMilli())))
                .projection(new Document(EVENTS, 1)).first();
        if (doc == null || !(doc.get(EVENTS) instanceof List<?>)) {
            return List.of();
        }
        return List.copyOf((List<String>) doc.get(EVENTS));
    }
}
