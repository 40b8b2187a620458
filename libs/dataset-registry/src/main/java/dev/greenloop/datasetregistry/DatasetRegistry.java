package dev.greenloop.datasetregistry;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Sorts;
import dev.greenloop.events.payload.DatasetFile;
import dev.greenloop.events.payload.DatasetReady;
import org.bson.Document;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The registry of training datasets in MongoDB, collection {@value #COLLECTION}: one document
 * per dataset, keyed by its id. preprocess registers (an archive run of the same input registers
 * the same id again, which replaces it); train-launcher finds one by id or the newest of a
 * greenhouse. The document shape lives here and nowhere else; MongoDB's failures are the caller's.
 */
public final class DatasetRegistry {

    public static final String COLLECTION = "datasets";

    private final MongoCollection<Document> datasets;

    public DatasetRegistry(MongoDatabase db) {
        this.datasets = db.getCollection(COLLECTION);
        datasets.createIndex(new Document("greenhouseId", 1).append("createdAt", -1));
    }

    public void register(DatasetManifest manifest) {
        datasets.replaceOne(Filters.eq("_id", manifest.id()), write(manifest), new ReplaceOptions().upsert(true));
    }

    public Optional<DatasetManifest> find(String datasetId) {
        return Optional.ofNullable(datasets.find(Filters.eq("_id", datasetId)).first()).map(DatasetRegistry::read);
    }

    /** The greenhouse's most recently registered dataset. */
    public Optional<DatasetManifest> latest(String greenhouseId) {
        return Optional.ofNullable(datasets.find(Filters.eq("greenhouseId", greenhouseId))
                .sort(Sorts.descending("createdAt")).first()).map(DatasetRegistry::read);
    }

    static Document write(DatasetManifest m) {
        DatasetReady d = m.dataset();
        List<Document> files = new ArrayList<>();
        for (int i = 0; i < d.files().size(); i++) {
            DatasetFile f = d.files().get(i);
            files.add(new Document("path", f.path()).append("rows", f.rows()).append("bytes", f.bytes())
                    .append("sha256", f.sha256()).append("day", m.fileDays().get(i).toString()));
        }
        Document doc = new Document("_id", d.datasetId()).append("greenhouseId", d.greenhouseId())
                .append("featureSpecVersion", d.featureSpecVersion()).append("horizonMinutes", m.horizonMinutes())
                .append("targets", m.targets()).append("from", Date.from(d.from())).append("to", Date.from(d.to()))
                .append("rows", d.rows()).append("files", files).append("datasetDays", m.datasetDays())
                .append("coverage", new Document("rows", m.coverage().rows())
                        .append("missingByGroup", new Document(new LinkedHashMap<>(m.coverage().missingByGroup())))
                        .append("missingBySignal", new Document(new LinkedHashMap<>(m.coverage().missingBySignal()))))
                .append("eventId", m.eventId()).append("createdAt", Date.from(m.createdAt()));
        if (m.leftOut() != null) {
            doc.append("leftOut", new Document("days", m.leftOut().days()).append("rows", m.leftOut().rows())
                    .append("from", m.leftOut().from().toString()).append("to", m.leftOut().to().toString()));
        }
        return doc;
    }

    static DatasetManifest read(Document doc) {
        List<DatasetFile> files = new ArrayList<>();
        List<LocalDate> days = new ArrayList<>();
        for (Document f : doc.getList("files", Document.class)) {
            files.add(new DatasetFile(f.getString("path"), number(f, "rows"), number(f, "bytes"), f.getString("sha256")));
            days.add(LocalDate.parse(f.getString("day")));
        }
        DatasetReady dataset = new DatasetReady(doc.getString("_id"), doc.getString("greenhouseId"),
                doc.getString("featureSpecVersion"), doc.getDate("from").toInstant(), doc.getDate("to").toInstant(),
                number(doc, "rows"), files);
        Document coverage = doc.get("coverage", Document.class);
        Document leftOut = doc.get("leftOut", Document.class);
        return new DatasetManifest(dataset, days, (int) number(doc, "horizonMinutes"), doc.getList("targets", String.class),
                (int) number(doc, "datasetDays"),
                new DatasetManifest.Coverage(number(coverage, "rows"), counts(coverage.get("missingByGroup", Document.class)),
                        counts(coverage.get("missingBySignal", Document.class))),
                leftOut == null ? null : new DatasetManifest.LeftOut((int) number(leftOut, "days"), number(leftOut, "rows"),
                        LocalDate.parse(leftOut.getString("from")), LocalDate.parse(leftOut.getString("to"))),
                doc.getString("eventId"), doc.getDate("createdAt").toInstant());
    }

    private static long number(Document doc, String field) {
        return doc.get(field, Number.class).longValue();
    }

    private static Map<String, Long> counts(Document doc) {
        Map<String, Long> counts = new LinkedHashMap<>();
        if (doc != null) {
            doc.forEach((k, v) -> counts.put(k, ((Number) v).longValue()));
        }
        return counts;
    }
}
