package dev.greenloop.trainlauncher.promote;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Optional;

/**
 * How a Job ended, read from the Job an ApiServerSource delivers (or the local launcher posts):
 * its name, the annotations the launcher set, and the {@code Complete} or {@code Failed}
 * condition. Empty while the Job is still going.
 */
public record JobOutcome(String jobName, String greenhouseId, String modelName, String runId, String datasetId,
                         boolean succeeded, String reason, String message) {

    public static Optional<JobOutcome> of(JsonNode job) {
        JsonNode meta = job.path("metadata");
        String name = meta.path("name").asText(null);
        if (name == null) {
            return Optional.empty();
        }
        for (JsonNode c : job.path("status").path("conditions")) {
            String type = c.path("type").asText();
            if (!"True".equals(c.path("status").asText())) {
                continue;
            }
            if (type.equals("Complete") || type.equals("Failed")) {
                JsonNode a = meta.path("annotations");
                return Optional.of(new JobOutcome(name, a.path("greenloop.dev/greenhouse-id").asText(null),
                        a.path("greenloop.dev/model-name").asText(null),
                        meta.path("labels").path("greenloop.dev/run-id").asText(null),
                        a.path("greenloop.dev/dataset-id").asText(null), type.equals("Complete"),
                        c.path("reason").asText(type), c.path("message").asText("")));
            }
        }
        return Optional.empty();
    }

    /** A failed Job is worth retrying unless the trainer said the input is bad or it ran out of time. */
    public boolean retriable() {
        return !succeeded && !"PodFailurePolicy".equals(reason) && !"DeadlineExceeded".equals(reason);
    }
}
