package dev.greenloop.trainlauncher.promote;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.clients.MlflowCredentials;
import dev.greenloop.clients.ModelFiles;
import dev.greenloop.clients.MlflowModels;
import dev.greenloop.clients.Settings;
import dev.greenloop.events.json.EventJson;
import dev.greenloop.trainlauncher.TrainLauncherConfig;
import dev.greenloop.trainlauncher.TrainLauncherException.Kind;
import dev.greenloop.trainlauncher.TrainLauncherException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.mlflow.api.proto.ModelRegistry.ModelVersion;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowClientException;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The MLflow tracking server and model registry, through mlflow-client: runs and metrics with
 * its typed calls, registry aliases with its raw REST calls (it has no typed ones). Any failure
 * is {@code DEPENDENCY_FAILED} (retried). Blocking; thread-safe.
 */
@ApplicationScoped
public class MlflowRegistry {

    /** The largest model (model.onnx and its external data together) the closed-loop gate loads (infer's default limit). */
    static final long MAX_MODEL_BYTES = 256L << 20;

    private final MlflowClient client;
    private final String trackingUri;
    private final MlflowCredentials credentials;
    private final java.time.Clock clock;
    /** Raw calls the Java client has no method for (DELETE), over HTTP/1.1 as the server prefers. */
    private final java.net.http.HttpClient http;
    /** The registry read-only, as infer reads it: a version's model.onnx for the closed-loop gate. */
    private final MlflowModels models;

    @Inject
    public MlflowRegistry(TrainLauncherConfig config, java.time.Clock clock) {
        this(config.mlflowTrackingUri(), MlflowCredentials.fromSettings(Settings.fromConfig()), clock);
    }

    /** A registry at {@code trackingUri}, authenticating with {@code credentials} (basic auth or token). */
    public MlflowRegistry(String trackingUri, MlflowCredentials credentials, java.time.Clock clock) {
        this.clock = clock;
        BasicMlflowHostCreds creds = credentials.token()
                .map(token -> new BasicMlflowHostCreds(trackingUri, token))
                .orElseGet(() -> new BasicMlflowHostCreds(trackingUri, credentials.username().orElse(null),
                        credentials.password().orElse(null)));
        this.client = new MlflowClient(creds);
        this.trackingUri = trackingUri.replaceAll("/+$", "");
        this.credentials = credentials;
        this.http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        this.models = new MlflowModels(java.net.URI.create(this.trackingUri), java.time.Duration.ofSeconds(60),
                MAX_MODEL_BYTES, credentials);
    }

    /** Creates a run in the experiment (created if needed) and returns its id. */
    public String createRun(String experimentName, String runName, Map<String, String> tags) {
        return guard(() -> {
            // A search, not get-by-name: the client retries every 404 of a lookup as if rate-limited.
            String experimentId = client.searchExperiments("name = " + quote(experimentName)).getItems().stream()
                    .map(Service.Experiment::getExperimentId).findFirst()
                    .orElseGet(() -> client.createExperiment(experimentName));
            Service.CreateRun.Builder create = Service.CreateRun.newBuilder().setExperimentId(experimentId)
                    .setRunName(runName).setStartTime(clock.millis());
            tags.forEach((k, v) -> create.addTags(Service.RunTag.newBuilder().setKey(k).setValue(v)));
            return client.createRun(create.build()).getRunId();
        });
    }

    /** Latest value of every metric of a run. */
    public Map<String, Double> metrics(String runId) {
        return guard(() -> {
            Map<String, Double> out = new HashMap<>();
            for (Service.Metric m : client.getRun(runId).getData().getMetricsList()) {
                out.put(m.getKey(), m.getValue());
            }
            return out;
        });
    }

    public Map<String, String> tags(String runId) {
        return guard(() -> {
            Map<String, String> out = new HashMap<>();
            for (Service.RunTag t : client.getRun(runId).getData().getTagsList()) {
                out.put(t.getKey(), t.getValue());
            }
            return out;
        });
    }

    /** Marks a run failed (the trainer could not, e.g. it never started). */
    public void markFailed(String runId) {
        guard(() -> {
            client.setTerminated(runId, Service.RunStatus.FAILED);
            return null;
        });
    }

    /** The version of {@code modelName} that run {@code runId} registered. */
    public Optional<String> versionOfRun(String modelName, String runId) {
        return guard(() -> {
            for (ModelVersion v : client.searchModelVersions("run_id='" + runId + "'").getItems()) {
                if (v.getName().equals(modelName)) {
                    return Optional.of(v.getVersion());
                }
            }
            return Optional.empty();
        });
    }

    /**
     * The version an alias points at, if the model and alias exist. Read from a registered-model
     * search (which lists aliases) rather than the alias endpoint, whose "not found" answers the
     * client would retry as if rate-limited.
     */
    public Optional<String> aliasVersion(String modelName, String alias) {
        return guard(() -> {
            try {
                JsonNode reply = EventJson.mapper().readTree(client.sendGet("registered-models/search?filter="
                        + encode("name = " + quote(modelName)) + "&max_results=10"));
                for (JsonNode model : reply.path("registered_models")) {
                    if (!model.path("name").asText().equals(modelName)) {
                        continue;
                    }
                    for (JsonNode a : model.path("aliases")) {
                        if (a.path("alias").asText().equals(alias)) {
                            return Optional.of(a.path("version").asText());
                        }
                    }
                }
                return Optional.empty();
            } catch (java.io.IOException e) {
                throw new MlflowClientException(e);
            }
        });
    }

    /** Points {@code alias} of {@code modelName} at {@code version} (moving it if it pointed elsewhere). */
    public void setAlias(String modelName, String alias, String version) {
        guard(() -> client.sendPost("registered-models/alias", EventJson.mapper().createObjectNode()
                .put("name", modelName).put("alias", alias).put("version", version).toString()));
    }

    /** Removes {@code alias} of {@code modelName}; nothing happens when it does not exist. */
    public void deleteAlias(String modelName, String alias) {
        // The Java client has no DELETE, and MLflow reads this one's parameters from a JSON body.
        java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(trackingUri
                + "/api/2.0/mlflow/registered-models/alias")).timeout(java.time.Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method("DELETE", java.net.http.HttpRequest.BodyPublishers.ofString(EventJson.mapper().createObjectNode()
                        .put("name", modelName).put("alias", alias).toString()));
        credentials.authorization().ifPresent(value -> request.header("Authorization", value));
        try {
            int status = http.send(request.build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status != 200 && status != 404) {
                throw new TrainLauncherException(Kind.DEPENDENCY_FAILED, "MLflow answered " + status
                        + " to deleting alias " + alias + " of " + modelName);
            }
        } catch (java.io.IOException e) {
            throw new TrainLauncherException(Kind.DEPENDENCY_FAILED, "MLflow: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrainLauncherException(Kind.DEPENDENCY_FAILED, "interrupted while calling MLflow", e);
        }
    }

    /** Logs {@code metrics} to a run (a finished run takes them too); logging the same values again changes nothing read. */
    public void logMetrics(String runId, Map<String, Double> metrics) {
        guard(() -> {
            long at = clock.millis();
            client.logBatch(runId, metrics.entrySet().stream().map(e -> Service.Metric.newBuilder().setKey(e.getKey())
                    .setValue(e.getValue()).setTimestamp(at).setStep(0).build()).toList(), List.of(), List.of());
            return null;
        });
    }

    /** The {@code model.onnx} of a version and its external data files, through the server's artifact proxy, as infer reads them. */
    public ModelFiles model(String modelName, String version) {
        try {
            return models.downloadModel(modelName, version);
        } catch (MlflowModels.RegistryException e) {
            throw new TrainLauncherException(Kind.DEPENDENCY_FAILED, "MLflow: " + e.getMessage(), e);
        }
    }

    /** The tags of {@code version} of {@code modelName} (the trainer's {@code targets}, {@code targets_refused}, ...). */
    public Map<String, String> versionTags(String modelName, String version) {
        return guard(() -> {
            Map<String, String> out = new HashMap<>();
            for (var tag : client.getModelVersion(modelName, version).getTagsList()) {
                out.put(tag.getKey(), tag.getValue());
            }
            return out;
        });
    }

    /** The run that registered {@code version} of {@code modelName}. */
    public String runOfVersion(String modelName, String version) {
        return guard(() -> client.getModelVersion(modelName, version).getRunId());
    }

    /** An MLflow search-filter string literal. */
    private static String quote(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static <T> T guard(Supplier<T> call) {
        try {
            return call.get();
        } catch (MlflowClientException e) {
            throw new TrainLauncherException(Kind.DEPENDENCY_FAILED, "MLflow: " + e.getMessage(), e);
        }
    }
}
