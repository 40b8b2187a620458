package dev.greenloop.trainlauncher;

import dev.greenloop.testkit.mlflow.MlflowServer;
import dev.greenloop.testkit.mlflow.TestModelScript;
import dev.greenloop.trainlauncher.launch.JobNames;
import dev.greenloop.trainlauncher.launch.TrainingPlan;
import dev.greenloop.trainlauncher.promote.MlflowRegistry;
import dev.greenloop.trainlauncher.store.TrainingRuns;
import org.bson.Document;
import org.mlflow.tracking.MlflowClient;

import java.util.Map;
import java.util.UUID;

/** Finished training runs as the trainer leaves them in MLflow, for the promotion tests. */
final class TrainedRuns {

    private TrainedRuns() {
    }

    /** A finished training run as the trainer leaves it: metrics and a registered version. */
    static TrainingPlan trained(MlflowRegistry registry, TrainingRuns runs, String greenhouse, Map<String, Double> metrics)
            throws Exception {
        return trained(registry, runs, greenhouse, metrics, MlflowServer.shared().trackingUri().toString());
    }

    /** The same, on the MLflow server at {@code trackingUri} (the one the registry talks to). */
    static TrainingPlan trained(MlflowRegistry registry, TrainingRuns runs, String greenhouse, Map<String, Double> metrics,
                                String trackingUri) throws Exception {
        String cause = UUID.randomUUID().toString();
        String job = JobNames.of(greenhouse, cause);
        String model = "greenloop-" + greenhouse;
        String runId = registry.createRun("greenloop-" + greenhouse, job, Map.of("greenloop.job", job));
        MlflowClient client = new MlflowClient(trackingUri);
        metrics.forEach((k, v) -> client.logMetric(runId, k, v));
        if (!client.sendGet("registered-models/search?filter=name%3D%27" + model + "%27").contains(model)) {
            client.sendPost("registered-models/create", "{\"name\":\"" + model + "\"}");
        }
        client.sendPost("model-versions/create", "{\"name\":\"" + model + "\",\"source\":\"runs:/" + runId
                + "/model\",\"run_id\":\"" + runId + "\"}");
        TrainingPlan plan = new TrainingPlan(job, greenhouse, runId, model, "ds-1", "{}", cause, "dataset_ready");
        runs.recordLaunch(new Document("_id", job).append("greenhouseId", greenhouse).append("runId", runId)
                .append("modelName", model).append("datasetId", "ds-1"));
        return plan;
    }

    /** Tags {@code version} of {@code model} as serving {@code targets} (comma-separated), as the trainer does. */
    static void serves(String model, String version, String targets) {
        new MlflowClient(MlflowServer.shared().trackingUri().toString()).sendPost("model-versions/set-tag",
                "{\"name\":\"" + model + "\",\"version\":\"" + version + "\",\"key\":\"targets\",\"value\":\""
                        + targets + "\"}");
    }

    /** A finished training run that registered no version, with {@code tags} on the run (the trainer's {@code greenloop.refused}). */
    static TrainingPlan unregistered(MlflowRegistry registry, TrainingRuns runs, String greenhouse, Map<String, Double> metrics,
                                     Map<String, String> tags) {
        String cause = UUID.randomUUID().toString();
        String job = JobNames.of(greenhouse, cause);
        String model = "greenloop-" + greenhouse;
        java.util.Map<String, String> all = new java.util.HashMap<>(tags);
        all.put("greenloop.job", job);
        String runId = registry.createRun("greenloop-" + greenhouse, job, all);
        registry.logMetrics(runId, metrics);
        runs.recordLaunch(new Document("_id", job).append("greenhouseId", greenhouse).append("runId", runId)
                .append("modelName", model).append("datasetId", "ds-1"));
        return new TrainingPlan(job, greenhouse, runId, model, "ds-1", "{}", cause, "dataset_ready");
    }

    /**
     * A finished training run whose version has a real model.onnx: registered by the trainer's
     * {@code tests/register_model.py} (each output is the feature {@code <target>_last} plus
     * {@code bias}), with {@code metrics} logged to its run and the launch recorded; {@code extra}:
     * more of the script's options (e.g. {@code --external-data}).
     */
    static TrainingPlan withModel(MlflowRegistry registry, TrainingRuns runs, String greenhouse, Map<String, Double> metrics,
                                  double bias, String... extra) throws Exception {
        String model = "greenloop-" + greenhouse;
        java.util.List<String> options = new java.util.ArrayList<>(java.util.List.of("--targets", "air_temperature"));
        options.addAll(java.util.List.of(extra));
        String version = TestModelScript.register(TrainerResource.trainerDir(), MlflowServer.shared().trackingUri(), Map.of(),
                model, "under-test", bias, options.toArray(String[]::new));
        String runId = registry.runOfVersion(model, version);
        registry.logMetrics(runId, metrics);
        String cause = UUID.randomUUID().toString();
        String job = JobNames.of(greenhouse, cause);
        runs.recordLaunch(new Document("_id", job).append("greenhouseId", greenhouse).append("runId", runId)
                .append("modelName", model).append("datasetId", "ds-1"));
        return new TrainingPlan(job, greenhouse, runId, model, "ds-1", "{}", cause, "dataset_ready");
    }

    static Map<String, Double> good(double mae, Double championVersion, Double championMae) {
        Map<String, Double> m = new java.util.HashMap<>(Map.of("onnx_parity", 1.0,
                "mae_air_temperature", mae, "mae_persistence_air_temperature", 0.60,
                "mae_relative_humidity", 1.0, "mae_persistence_relative_humidity", 2.5,
                "mae_co2", 10.0, "mae_persistence_co2", 30.0));
        if (championVersion != null) {
            m.put("champion_version", championVersion);
            m.put("champion_mae_air_temperature", championMae);
        }
        return m;
    }
}
