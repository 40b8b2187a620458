package dev.greenloop.events.payload;

import java.util.Map;

/**
 * Payload of {@code dev.greenloop.model.promoted.v1}: alias {@code champion} now points at
 * {@code modelVersion}; {@code previousVersion} (alias {@code previous}) is kept for rollback.
 */
public record ModelPromoted(String greenhouseId, String modelName, String modelVersion,
                            String previousVersion, String runId, String featureSpecVersion,
                            Map<String, Double> metrics) implements EventPayload {

    public ModelPromoted {
        Checks.id("greenhouseId", greenhouseId);
        Checks.id("modelName", modelName);
        Checks.id("modelVersion", modelVersion);
        Checks.optionalId("previousVersion", previousVersion);
        Checks.id("runId", runId);
        Checks.id("featureSpecVersion", featureSpecVersion);
        metrics = Checks.metrics("metrics", metrics);
    }
}
