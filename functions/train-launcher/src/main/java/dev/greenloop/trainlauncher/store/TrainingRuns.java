package dev.greenloop.trainlauncher.store;

import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import dev.greenloop.clients.MongoConnections;
import dev.greenloop.clients.Settings;
import dev.greenloop.datasetregistry.DatasetManifest;
import dev.greenloop.datasetregistry.DatasetRegistry;
import dev.greenloop.trainlauncher.TrainLauncherConfig;
import dev.greenloop.trainlauncher.TrainLauncherException;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.Document;

import java.time.Instant;
import java.util.Date;
import java.util.Optional;

/**
 * Training runs and datasets in MongoDB. {@code training_runs}: one document per Job
 * ({@code _id} = Job name), with its MLflow run, dataset, status and, once the Job ended, the
 * reply it produced, so that a repeated status event gets the same reply and moves nothing.
 * {@code datasets}: the manifests preprocess registers, read through the {@link DatasetRegistry} contract.
 */
@ApplicationScoped
public class TrainingRuns {

    public static final String LAUNCHED = "launched";

    private final MongoClient client;
    private final MongoCollection<Document> runs;
    private final MongoCollection<Document> controlZones;
    private final DatasetRegistry datasets;

    private final java.time.Clock clock;

    public TrainingRuns(TrainLauncherConfig config, java.time.Clock clock) {
        this.clock = clock;
        this.client = MongoConnections.create(config.mongodb().connectionString(), Settings.fromConfig());
        var db = client.getDatabase(config.mongodb().database());
        this.runs = db.getCollection("training_runs");
        this.controlZones = db.getCollection("control_zones");
        this.datasets = new DatasetRegistry(db);
    }

    /**
     * Control's settings documents of the greenhouse's zones ({@code control_zones}, read-only),
     * zone id to document, in zone order: the crop the closed-loop gate judges candidates by.
     */
    public java.util.SortedMap<String, Document> controlZones(String greenhouseId) {
        String prefix = greenhouseId + "/";
        return guard(() -> {
            java.util.SortedMap<String, Document> out = new java.util.TreeMap<>();
            for (Document d : controlZones.find(Filters.regex("_id", "^" + java.util.regex.Pattern.quote(prefix)))) {
                out.put(d.getString("_id").substring(prefix.length()), d);
            }
            return out;
        });
    }

    public Optional<Document> run(String jobName) {
        return guard(() -> Optional.ofNullable(runs.find(Filters.eq("_id", jobName)).first()));
    }

    /** The greenhouse's run that is still going, if any (launched and younger than {@code maxAge}). */
    public Optional<Document> active(String greenhouseId, java.time.Duration maxAge) {
        return guard(() -> Optional.ofNullable(runs.find(Filters.and(Filters.eq("greenhouseId", greenhouseId),
                Filters.eq("status", LAUNCHED), Filters.gt("launchedAt", Date.from(Instant.now(clock).minus(maxAge))))).first()));
    }

    /** The dataset of the greenhouse's last run that ended with a model (promoted or not). */
    public Optional<String> lastTrainedDataset(String greenhouseId) {
        return guard(() -> Optional.ofNullable(runs.find(Filters.and(Filters.eq("greenhouseId", greenhouseId),
                        Filters.in("status", "promoted", "completed", "challenger"))).sort(Sorts.descending("endedAt")).first())
                .map(d -> d.getString("datasetId")));
    }

    /** Whether a run of the greenhouse was ever promoted: a model is in service. */
    public boolean everPromoted(String greenhouseId) {
        return guard(() -> runs.find(Filters.and(Filters.eq("greenhouseId", greenhouseId), Filters.eq("status", "promoted")))
                .first() != null);
    }

    /** Records a launch; false when the Job's run is recorded already (a redelivered request). */
    public boolean recordLaunch(Document run) {
        try {
            runs.insertOne(run.append("status", LAUNCHED).append("launchedAt", Date.from(clock.instant())));
            return true;
        } catch (com.mongodb.MongoWriteException e) {
            if (e.getError().getCategory() == com.mongodb.ErrorCategory.DUPLICATE_KEY) {
                return false;
            }
            throw unavailable(e);
        } catch (MongoException e) {
            throw unavailable(e);
        }
    }

    public void setRunId(String jobName, String runId) {
        guard(() -> runs.updateOne(Filters.eq("_id", jobName), Updates.set("runId", runId)));
    }

    /** Records how a Job ended and the reply event, unless an outcome is recorded already. */
    public void recordOutcome(String jobName, String status, Document reply) {
        guard(() -> runs.updateOne(Filters.and(Filters.eq("_id", jobName), Filters.eq("status", LAUNCHED)),
                Updates.combine(Updates.set("status", status), Updates.set("reply", reply),
                        Updates.set("endedAt", Date.from(clock.instant())))));
    }

    /** A dataset preprocess registered, through the {@link DatasetRegistry} contract. */
    public Optional<DatasetManifest> dataset(String datasetId) {
        return guard(() -> datasets.find(datasetId));
    }

    /** The greenhouse's newest registered dataset. */
    public Optional<DatasetManifest> latestDataset(String greenhouseId) {
        return guard(() -> datasets.latest(greenhouseId));
    }

    /** When the last run that ended with {@code status} ended, or empty when none has. */
    public Optional<Instant> lastEnded(String status) {
        return guard(() -> Optional.ofNullable(runs.find(Filters.and(Filters.eq("status", status), Filters.exists("endedAt")))
                .sort(Sorts.descending("endedAt")).first()).map(d -> d.getDate("endedAt").toInstant()));
    }

    public void ping() {
        client.getDatabase("admin").runCommand(new Document("ping", 1));
    }

    private static <T> T guard(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (MongoException e) {
            throw unavailable(e);
        }
    }

    private static TrainLauncherException unavailable(MongoException e) {
        return new TrainLauncherException(TrainLauncherException.Kind.DEPENDENCY_FAILED, "MongoDB: " + e.getMessage(), e);
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
