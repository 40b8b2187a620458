package dev.greenloop.trainlauncher.launch;

/**
 * Everything a training Job needs: which Job, which MLflow run and registered model, which
 * dataset (the manifest the trainer reads), and the event that asked for it.
 *
 * @param jobName     derived from the causing event, so a redelivered event names the same Job
 * @param manifest    the dataset manifest, JSON (paths, SHA-256, spec version)
 * @param causationId id of the event that caused the run
 */
public record TrainingPlan(String jobName, String greenhouseId, String runId, String modelName, String datasetId,
                           String manifest, String causationId, String reason) {
}
