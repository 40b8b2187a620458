package dev.greenloop.clients;

import java.util.Map;

/**
 * A registered model version as the registry describes it: the tags the trainer sets
 * ({@code feature_spec_version}, {@code horizon_minutes}, {@code targets}, ...) and its run.
 */
public record ModelVersionInfo(String modelName, String version, String runId, Map<String, String> tags) {

    public ModelVersionInfo {
        tags = Map.copyOf(tags);
    }
}
