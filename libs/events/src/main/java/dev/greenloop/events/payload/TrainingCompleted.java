package dev.greenloop.events.payload;

import java.util.Map;

/**
 * Payload of {@code dev.greenloop.training.completed.v1}: a run finished and its candidate was
 * judged. When {@code promoted} is {@code false}, {@code reason} says which gate it failed.
 *
 * @param metrics the candidate's test-split metrics, by MLflow metric name
 */
public record TrainingCompleted(String greenhouseId, String runId, String jobName, String modelName,
                                String modelVersion, boolean promoted, String reason,
                                Map<String, Double> metrics) implements EventPayload {

    public TrainingCompleted {
        Checks.id("greenhouseId", greenhouseId);
        Checks.id("runId", runId);
        Checks.id("jobName", jobName);
        Checks.id("modelName", modelName);
        Checks.optionalId("modelVersion", modelVersion);
        Checks.text("reason", reason, 1024);
        metrics = Checks.metrics("metrics", metrics);
    }
}
