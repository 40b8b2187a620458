package dev.greenloop.trainlauncher.launch;

import dev.greenloop.datasetregistry.DatasetManifest;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.DatasetReady;
import dev.greenloop.events.payload.TrainingReason;
import dev.greenloop.trainlauncher.TrainLauncherConfig;
import dev.greenloop.trainlauncher.TrainLauncherException;
import dev.greenloop.trainlauncher.TrainLauncherException.Kind;
import dev.greenloop.trainlauncher.promote.MlflowRegistry;
import dev.greenloop.trainlauncher.store.TrainingRuns;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.Document;
import org.jboss.logging.Logger;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Decides whether to train and launches: skips a greenhouse whose run is still going, and one
 * without new data since its last model (unless asked by hand); creates the MLflow run; starts
 * the Job. The Job name comes from the causing event, so a redelivered event finds its run and
 * starts nothing new.
 */
@ApplicationScoped
public class LaunchService {

    private static final Logger LOG = Logger.getLogger(LaunchService.class);

    /** A request to train, from any of the triggers. {@code dataset} is set when the event carried it. */
    public record Request(String greenhouseId, TrainingReason reason, String datasetId, DatasetReady dataset,
                          String causeId, String note) {
    }

    /** What became of a request: a plan that runs, or why nothing was started. */
    public record Decision(TrainingPlan plan, String skipped) {
        public boolean launched() {
            return plan != null;
        }
    }

    private final TrainLauncherConfig config;
    private final TrainingRuns runs;
    private final MlflowRegistry mlflow;
    private final JobLauncher launcher;
    private final MeterRegistry metrics;

    public LaunchService(TrainLauncherConfig config, TrainingRuns runs, MlflowRegistry mlflow, JobLauncher launcher,
                         MeterRegistry metrics) {
        this.config = config;
        this.runs = runs;
        this.mlflow = mlflow;
        this.launcher = launcher;
        this.metrics = metrics;
    }

    public String modelName(String greenhouseId) {
        return config.modelNamePrefix() + greenhouseId;
    }

    /**
     * @return the plan that was launched (now or by an earlier delivery of the same event), or
     *         why the request was skipped
     * @throws TrainLauncherException {@code UNKNOWN_DATASET} for a dataset id that does not exist
     */
    public Decision launch(Request request) {
        String jobName = JobNames.of(request.greenhouseId(), request.causeId());
        Optional<Document> existing = runs.run(jobName);
        if (existing.isPresent() && existing.get().getString("runId") != null) {
            TrainingPlan plan = plan(existing.get());
            launcher.launch(plan);
            return new Decision(plan, null);
        }
        if (existing.isEmpty()) {
            Optional<Document> active = runs.active(request.greenhouseId(), config.job().activeDeadline());
            if (active.isPresent()) {
                return skip(request, "active", "run " + active.get().getString("_id") + " of the greenhouse is still going");
            }
        }
        Optional<Manifest> manifest = manifest(request);
        if (manifest.isEmpty()) {
            return skip(request, "no-dataset", "greenhouse " + request.greenhouseId() + " has no dataset yet");
        }
        if (request.reason() != TrainingReason.MANUAL && existing.isEmpty()
                && runs.lastTrainedDataset(request.greenhouseId()).filter(manifest.get().id()::equals).isPresent()) {
            return skip(request, "no-new-data", "dataset " + manifest.get().id() + " was trained on already");
        }
        String modelName = modelName(request.greenhouseId());
        if (existing.isEmpty() && !runs.recordLaunch(new Document("_id", jobName).append("greenhouseId", request.greenhouseId())
                .append("modelName", modelName).append("datasetId", manifest.get().id()).append("manifest", manifest.get().json())
                .append("causationId", request.causeId()).append("reason", request.reason().wireName()))) {
            // Another delivery of the same event got here first; it launches.
            return new Decision(runs.run(jobName).map(this::plan).orElseThrow(), null);
        }
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("greenloop.job", jobName);
        tags.put("greenloop.greenhouse", request.greenhouseId());
        tags.put("greenloop.dataset_id", manifest.get().id());
        tags.put("greenloop.causation_id", request.causeId());
        tags.put("greenloop.reason", request.reason().wireName());
        if (request.note() != null) {
            tags.put("greenloop.note", request.note());
        }
        String runId = mlflow.createRun("greenloop-" + request.greenhouseId(), jobName, tags);
        runs.setRunId(jobName, runId);
        TrainingPlan plan = new TrainingPlan(jobName, request.greenhouseId(), runId, modelName, manifest.get().id(),
                manifest.get().json(), request.causeId(), request.reason().wireName());
        launcher.launch(plan);
        metrics.counter("greenloop.train_launcher.launched", "reason", request.reason().wireName()).increment();
        LOG.infof("Training %s launched for %s (%s, dataset %s, MLflow run %s)%s", jobName, request.greenhouseId(),
                request.reason().wireName(), manifest.get().id(), runId, request.note() == null ? "" : ": " + request.note());
        return new Decision(plan, null);
    }

    private Decision skip(Request request, String why, String message) {
        metrics.counter("greenloop.train_launcher.skipped", "reason", why).increment();
        LOG.infof("Not training %s (%s): %s", request.greenhouseId(), request.reason().wireName(), message);
        return new Decision(null, message);
    }

    private TrainingPlan plan(Document run) {
        return new TrainingPlan(run.getString("_id"), run.getString("greenhouseId"), run.getString("runId"),
                run.getString("modelName"), run.getString("datasetId"), run.getString("manifest"),
                run.getString("causationId"), run.getString("reason"));
    }

    private record Manifest(String id, String json) {
    }

    private Optional<Manifest> manifest(Request request) {
        if (request.dataset() != null) {
            return Optional.of(new Manifest(request.dataset().datasetId(), new String(PayloadCodec.write(request.dataset()),
                    java.nio.charset.StandardCharsets.UTF_8)));
        }
        Optional<DatasetManifest> found = request.datasetId() != null ? runs.dataset(request.datasetId())
                : runs.latestDataset(request.greenhouseId());
        if (request.datasetId() != null && found.isEmpty()) {
            throw new TrainLauncherException(Kind.UNKNOWN_DATASET, "no dataset " + request.datasetId());
        }
        // The trainer reads a manifest in the shape of dataset.ready.
        return found.map(m -> new Manifest(m.id(), new String(PayloadCodec.write(m.dataset()),
                java.nio.charset.StandardCharsets.UTF_8)));
    }
}
