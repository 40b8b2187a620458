package dev.greenloop.clients;

import java.time.Instant;
import java.util.Map;

/**
 * A registered model version as the registry describes it: the tags the trainer sets
 * ({@code feature_spec_version}, {@code horizon_minutes}, {@code targets}, ...), its run, and
 * when the registry created it ({@code null} when the registry did not say).
 */
public record ModelVersionInfo(String modelName, String version, String runId, Map<String, String> tags, Instant created) {

    public ModelVersionInfo {
        tags = Map.copyOf(tags);
    }

    public ModelVersionInfo(String modelName, String version, String runId, Map<String, String> tags) {
        this(modelName, version, runId, tags, null);
    }
}
