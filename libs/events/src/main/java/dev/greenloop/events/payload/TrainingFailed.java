package dev.greenloop.events.payload;

/**
 * Payload of {@code dev.greenloop.training.failed.v1}.
 *
 * @param reason    why, taken from the Job's conditions or the trainer's last line
 * @param retriable whether running the same request again may succeed
 */
public record TrainingFailed(String greenhouseId, String runId, String jobName, String reason,
                             boolean retriable) implements EventPayload {

    public TrainingFailed {
        Checks.id("greenhouseId", greenhouseId);
        Checks.id("runId", runId);
        Checks.id("jobName", jobName);
        Checks.text("reason", reason, 1024);
    }
}
