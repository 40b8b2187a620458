package dev.greenloop.events.payload;

/**
 * Payload of {@code dev.greenloop.training.requested.v1}.
 *
 * @param datasetId the dataset to train on; {@code null} means the latest one of the greenhouse
 * @param note      free text kept with the run (who asked, why), may be {@code null}
 */
public record TrainingRequested(String greenhouseId, TrainingReason reason, String datasetId, String note) implements EventPayload {

    public TrainingRequested {
        Checks.id("greenhouseId", greenhouseId);
        Checks.required("reason", reason);
        Checks.optionalId("datasetId", datasetId);
        Checks.optionalText("note", note, 512);
    }
}
