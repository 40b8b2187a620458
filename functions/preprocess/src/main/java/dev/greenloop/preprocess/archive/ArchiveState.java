package dev.greenloop.preprocess.archive;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import dev.greenloop.clients.MongoConnections;
import dev.greenloop.clients.Settings;
import dev.greenloop.datasetregistry.DatasetManifest;
import dev.greenloop.datasetregistry.DatasetRegistry;
import dev.greenloop.preprocess.PreprocessConfig;
import dev.greenloop.preprocess.PreprocessException.Kind;
import dev.greenloop.preprocess.PreprocessException;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.Document;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The batch path's bookkeeping in MongoDB:
 * <ul>
 *   <li>{@code archive_lock}: leases that expire (checked in code, not by TTL): {@code archive},
 *       one pass over the readings topic at a time, and {@code dataset:<greenhouse>}, one build of
 *       a greenhouse's features and dataset at a time (builds of different greenhouses run in
 *       parallel, on any pod, beside a topic pass);</li>
 *   <li>{@code archive_passes}: the ticket counter every request draws from, and the ticket the
 *       last complete topic pass covers: a request's dataset is built only after a pass that
 *       started after it (its readings are archived);</li>
 *   <li>{@code archive_plans}: the offset ranges a run is archiving; an unfinished plan is
 *       completed with the same ranges by the next run, so a crash anywhere neither loses nor
 *       duplicates data;</li>
 *   <li>{@code feature_days}: greenhouse days whose feature table must be (re)built, each with a
 *       version that every new mark raises, so a build that raced a topic pass marking the day
 *       again leaves the mark for the next build;</li>
 *   <li>{@code feature_files}: what each feature file holds (rows, bytes, digest, time range);</li>
 *   <li>{@code datasets}: dataset manifests, through the {@link DatasetRegistry} contract;</li>
 *   <li>{@code archive_requests}: the greenhouses whose archive a ping asked for and no run has
 *       finished yet (a crashed run leaves its requests for the next);</li>
 *   <li>{@code dataset_announcements}: the datasets whose {@code dataset.ready} was sent, so each
 *       is announced once.</li>
 * </ul>
 */
@ApplicationScoped
public class ArchiveState {

    private final MongoClient client;
    private final MongoCollection<Document> lock;
    private final MongoCollection<Document> plans;
    private final MongoCollection<Document> featureDays;
    private final MongoCollection<Document> featureFiles;
    private final DatasetRegistry datasets;
    private final MongoCollection<Document> requests;
    private final MongoCollection<Document> announcements;
    private final MongoCollection<Document> passes;
    private final String owner = UUID.randomUUID().toString();

    private final java.time.Clock clock;

    public ArchiveState(PreprocessConfig config, java.time.Clock clock) {
        this.clock = clock;
        this.client = MongoConnections.create(config.mongodb().connectionString(), Settings.fromConfig());
        var db = client.getDatabase(config.mongodb().database());
        this.lock = db.getCollection("archive_lock");
        this.plans = db.getCollection("archive_plans");
        this.featureDays = db.getCollection("feature_days");
        this.featureFiles = db.getCollection("feature_files");
        this.datasets = new DatasetRegistry(db);
        this.requests = db.getCollection("archive_requests");
        this.announcements = db.getCollection("dataset_announcements");
        this.passes = db.getCollection("archive_passes");
    }

    /** What an archive request is for: a greenhouse, or {@link #ARCHIVE_ONLY}. */
    public static final String ARCHIVE_ONLY = "*";

    /** The lease of the pass over the readings topic. */
    public static final String TOPIC_LEASE = "archive";

    /** The lease of a greenhouse's feature and dataset build. */
    public static String datasetLease(String greenhouse) {
        return "dataset:" + greenhouse;
    }

    /**
     * An archive asked for and not finished: its greenhouse ({@link #ARCHIVE_ONLY} for a ping
     * naming none), a sequence number that every new ping for it raises, the ticket of its latest
     * ping (a topic pass covering it has archived the readings before that ping), and the ping it
     * answers (id and CloudEvents extensions, for the causation of {@code dataset.ready}).
     */
    public record Request(String greenhouse, long seq, long ticket, String pingId, Map<String, String> extensions) {
        public Request {
            extensions = Map.copyOf(extensions);
        }
    }

    /** Records that a ping asked for {@code greenhouse}'s archive (a second ask before a run is one request). */
    public void request(String greenhouse, String pingId, Map<String, String> extensions) {
        Document ext = new Document();
        extensions.forEach(ext::append);
        long ticket = nextTicket();
        guard(() -> requests.updateOne(Filters.eq("_id", greenhouse), Updates.combine(Updates.inc("seq", 1L),
                Updates.set("ticket", ticket), Updates.set("pingId", pingId), Updates.set("extensions", ext),
                Updates.set("requestedAt", Date.from(clock.instant()))), new UpdateOptions().upsert(true)));
    }

    private long nextTicket() {
        Document counter = guard(() -> passes.findOneAndUpdate(Filters.eq("_id", "tickets"), Updates.inc("n", 1L),
                new com.mongodb.client.model.FindOneAndUpdateOptions().upsert(true)
                        .returnDocument(com.mongodb.client.model.ReturnDocument.AFTER)));
        return ((Number) counter.get("n")).longValue();
    }

    /** The last ticket drawn: a topic pass that starts now covers every request up to it. */
    public long lastTicket() {
        Document counter = guard(() -> passes.find(Filters.eq("_id", "tickets")).first());
        return counter == null ? 0 : ((Number) counter.get("n")).longValue();
    }

    /**
     * What the complete passes over the topic have done: the ticket the last one covers (0
     * before the first) and when it started.
     */
    public record TopicPasses(long archivedThrough, Optional<Instant> lastStartedAt) {
    }

    public TopicPasses topicPasses() {
        Document topic = guard(() -> passes.find(Filters.eq("_id", "topic")).first());
        if (topic == null) {
            return new TopicPasses(0, Optional.empty());
        }
        return new TopicPasses(((Number) topic.get("archivedThrough")).longValue(),
                Optional.ofNullable(topic.getDate("lastPassStartedAt")).map(Date::toInstant));
    }

    /** Records a complete topic pass that started at {@code startedAt}, when {@code ticket} was the last ticket drawn. */
    public void topicArchived(long ticket, Instant startedAt) {
        guard(() -> passes.updateOne(Filters.eq("_id", "topic"), Updates.combine(Updates.max("archivedThrough", ticket),
                Updates.max("lastPassStartedAt", Date.from(startedAt))), new UpdateOptions().upsert(true)));
    }

    /** The requests no run has finished, oldest first. */
    public List<Request> requests() {
        return guard(() -> {
            List<Request> out = new ArrayList<>();
            for (Document d : requests.find().sort(new Document("requestedAt", 1))) {
                Map<String, String> ext = new java.util.TreeMap<>();
                Document e = d.get("extensions", Document.class);
                if (e != null) {
                    e.forEach((k, v) -> ext.put(k, String.valueOf(v)));
                }
                // A request recorded before tickets existed counts as the first: the next pass covers it.
                Number ticket = (Number) d.get("ticket");
                out.add(new Request(d.getString("_id"), ((Number) d.get("seq")).longValue(),
                        ticket == null ? 1 : ticket.longValue(), d.getString("pingId"), ext));
            }
            return out;
        });
    }

    /** Ends {@code request}, unless a ping asked again since it was read (then the next run takes it). */
    public void requestDone(Request request) {
        guard(() -> requests.deleteOne(Filters.and(Filters.eq("_id", request.greenhouse()), Filters.eq("seq", request.seq()))));
    }

    public boolean announced(String datasetId) {
        return guard(() -> announcements.find(Filters.eq("_id", datasetId)).first() != null);
    }

    public void markAnnounced(String datasetId) {
        guard(() -> announcements.updateOne(Filters.eq("_id", datasetId),
                Updates.setOnInsert("announcedAt", Date.from(clock.instant())), new UpdateOptions().upsert(true)));
    }

    /** A planned range of one partition: {@code [start, end)}. */
    public record Range(int partition, long start, long end) {
    }

    /** Takes the topic lease ({@link #TOPIC_LEASE}) for {@code lease}, or returns false if another run holds it. */
    public boolean tryLock(java.time.Duration lease) {
        return tryLock(TOPIC_LEASE, lease);
    }

    /** Takes (or renews) the lease {@code name} for {@code lease}, or returns false if another run holds it. */
    public boolean tryLock(String name, java.time.Duration lease) {
        Instant now = Instant.now(clock);
        try {
            Document taken = lock.findOneAndUpdate(
                    Filters.and(Filters.eq("_id", name), Filters.or(Filters.lt("until", Date.from(now)),
                            Filters.eq("owner", owner))),
                    Updates.combine(Updates.set("until", Date.from(now.plus(lease))), Updates.set("owner", owner)));
            if (taken != null) {
                return true;
            }
            lock.insertOne(new Document("_id", name).append("until", Date.from(now.plus(lease))).append("owner", owner));
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

    public void unlock() {
        unlock(TOPIC_LEASE);
    }

    public void unlock(String name) {
        guard(() -> lock.deleteOne(Filters.and(Filters.eq("_id", name), Filters.eq("owner", owner))));
    }

    /** The plan a previous run did not finish, if any. */
    @SuppressWarnings("unchecked")
    public List<Range> unfinishedPlan() {
        return guard(() -> {
            Document plan = plans.find(Filters.and(Filters.eq("_id", "current"), Filters.eq("status", "writing"))).first();
            if (plan == null) {
                return null;
            }
            List<Range> ranges = new ArrayList<>();
            for (Document r : (List<Document>) plan.get("ranges")) {
                ranges.add(new Range(r.getInteger("partition"), r.getLong("start"), r.getLong("end")));
            }
            return ranges;
        });
    }

    public void savePlan(List<Range> ranges) {
        List<Document> docs = ranges.stream().map(r -> new Document("partition", r.partition()).append("start", r.start())
                .append("end", r.end())).toList();
        guard(() -> plans.replaceOne(Filters.eq("_id", "current"), new Document("_id", "current").append("status", "writing")
                .append("ranges", docs).append("createdAt", Date.from(clock.instant())), new ReplaceOptions().upsert(true)));
    }

    public void finishPlan() {
        guard(() -> plans.updateOne(Filters.eq("_id", "current"), Updates.set("status", "done")));
    }

    /** Marks a greenhouse day for a feature (re)build; a mark made while a build runs survives it. */
    public void markDay(String greenhouse, LocalDate day) {
        guard(() -> featureDays.updateOne(Filters.eq("_id", greenhouse + "/" + day),
                Updates.combine(Updates.set("greenhouseId", greenhouse), Updates.set("day", day.toString()),
                        Updates.inc("version", 1L)),
                new UpdateOptions().upsert(true)));
    }

    /** A day to (re)build, and the version of its mark. */
    public record PendingDay(LocalDate day, long version) {
    }

    public List<PendingDay> pendingDays(String greenhouse) {
        return guard(() -> {
            List<PendingDay> days = new ArrayList<>();
            for (Document d : featureDays.find(Filters.eq("greenhouseId", greenhouse))) {
                Number version = (Number) d.get("version");
                days.add(new PendingDay(LocalDate.parse(d.getString("day")), version == null ? 0 : version.longValue()));
            }
            days.sort(java.util.Comparator.comparing(PendingDay::day));
            return days;
        });
    }

    /** The day was built from what its mark {@code built} stood for; a newer mark stays. */
    public void dayBuilt(String greenhouse, PendingDay built) {
        String id = greenhouse + "/" + built.day();
        guard(() -> featureDays.deleteOne(built.version() == 0
                ? Filters.and(Filters.eq("_id", id), Filters.exists("version", false))
                : Filters.and(Filters.eq("_id", id), Filters.eq("version", built.version()))));
    }

    /** What a feature file holds. */
    /**
     * A day's feature file; {@code coverage} counts its rows by the signals they miss
     * ({@link dev.greenloop.features.FeatureCoverage#patterns()}), empty for files recorded before
     * coverage was kept.
     */
    public record FeatureFile(String path, String greenhouse, LocalDate day, long rows, long bytes, String sha256,
                              long from, long to, Map<String, Long> coverage) {
        public FeatureFile {
            coverage = Map.copyOf(coverage);
        }
    }

    /** Records {@code file} as the current feature file of its greenhouse day (replacing the previous one). */
    public void saveFeatureFile(FeatureFile file) {
        String id = file.greenhouse() + "/" + file.day();
        guard(() -> featureFiles.replaceOne(Filters.eq("_id", id), new Document("_id", id).append("path", file.path())
                .append("greenhouseId", file.greenhouse()).append("day", file.day().toString()).append("rows", file.rows())
                .append("bytes", file.bytes()).append("sha256", file.sha256()).append("from", file.from())
                .append("to", file.to()).append("coverage", new Document(new java.util.LinkedHashMap<>(file.coverage()))),
                new ReplaceOptions().upsert(true)));
    }

    public void forgetFeatureFile(String greenhouse, LocalDate day) {
        guard(() -> featureFiles.deleteOne(Filters.eq("_id", greenhouse + "/" + day)));
    }

    public List<FeatureFile> featureFiles(String greenhouse) {
        return guard(() -> {
            List<FeatureFile> files = new ArrayList<>();
            for (Document d : featureFiles.find(Filters.eq("greenhouseId", greenhouse))) {
                Map<String, Long> coverage = new java.util.LinkedHashMap<>();
                Document c = d.get("coverage", Document.class);
                if (c != null) {
                    c.forEach((mask, n) -> coverage.put(mask, ((Number) n).longValue()));
                }
                files.add(new FeatureFile(d.getString("path"), greenhouse, LocalDate.parse(d.getString("day")),
                        d.getLong("rows"), d.getLong("bytes"), d.getString("sha256"), d.getLong("from"), d.getLong("to"),
                        coverage));
            }
            files.sort(java.util.Comparator.comparing(FeatureFile::day));
            return files;
        });
    }

    public void saveDataset(DatasetManifest manifest) {
        guard(() -> {
            datasets.register(manifest);
            return null;
        });
    }

    public Optional<DatasetManifest> dataset(String id) {
        return guard(() -> datasets.find(id));
    }

    private static <T> T guard(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (MongoException e) {
            throw unavailable(e);
        }
    }

    private static PreprocessException unavailable(MongoException e) {
        return new PreprocessException(Kind.STORE_UNAVAILABLE, "MongoDB: " + e.getMessage(), e);
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
