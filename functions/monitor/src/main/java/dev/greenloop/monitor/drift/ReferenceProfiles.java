package dev.greenloop.monitor.drift;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.clients.MlflowCredentials;
import dev.greenloop.clients.Settings;
import dev.greenloop.events.json.EventJson;
import dev.greenloop.monitor.MonitorConfig;
import dev.greenloop.monitor.MonitorException;
import dev.greenloop.monitor.MonitorException.Kind;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The reference profiles of model versions, read from MLflow as infer reads models: the version's
 * run, its artifact location behind MLflow's artifact proxy, and {@value ReferenceProfile#ARTIFACT}
 * there. A version never changes, so each is read once (and a version without a profile, from
 * before the trainer wrote them, is remembered as such).
 */
@ApplicationScoped
public class ReferenceProfiles {

    private static final Logger LOG = Logger.getLogger(ReferenceProfiles.class);
    private static final String ARTIFACTS_SCHEME = "mlflow-artifacts:/";

    private final URI base;
    private final Duration timeout;
    private final MlflowCredentials credentials;
    private final HttpClient http;
    private final Map<String, Optional<ReferenceProfile>> cache = new ConcurrentHashMap<>();

    @Inject
    public ReferenceProfiles(MonitorConfig config) {
        this(URI.create(config.mlflow().trackingUri()), config.mlflow().timeout(),
                MlflowCredentials.fromSettings(Settings.fromConfig()));
    }

    public ReferenceProfiles(URI base, Duration timeout, MlflowCredentials credentials) {
        this.base = base;
        this.timeout = timeout;
        this.credentials = credentials;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** The profile of {@code modelName} version {@code version}; empty when the version has none. */
    public Optional<ReferenceProfile> of(String modelName, String version) {
        String key = modelName + "@" + version;
        Optional<ReferenceProfile> known = cache.get(key);
        if (known != null) {
            return known;
        }
        Optional<ReferenceProfile> loaded = load(modelName, version);
        cache.put(key, loaded);
        return loaded;
    }

    private Optional<ReferenceProfile> load(String modelName, String version) {
        String runId = json("/api/2.0/mlflow/model-versions/get?name=" + encode(modelName) + "&version=" + encode(version))
                .path("model_version").path("run_id").asText("");
        if (runId.isEmpty()) {
            return Optional.empty();
        }
        String artifacts = json("/api/2.0/mlflow/runs/get?run_id=" + encode(runId)).path("run").path("info")
                .path("artifact_uri").asText("");
        if (!artifacts.startsWith(ARTIFACTS_SCHEME)) {
            LOG.warnf("The run of %s version %s keeps its artifacts at '%s'; monitor reads them through MLflow's"
                    + " artifact proxy (mlflow-artifacts:/) only: no drift for it", modelName, version, artifacts);
            return Optional.empty();
        }
        String path = artifacts.substring(ARTIFACTS_SCHEME.length()).replaceAll("^/+", "").replaceAll("/+$", "");
        HttpResponse<byte[]> profile = get("/api/2.0/mlflow-artifacts/artifacts/" + path + "/" + ReferenceProfile.ARTIFACT);
        if (profile.statusCode() == 404) {
            LOG.infof("%s version %s has no %s (trained before the trainer wrote one): no drift for it", modelName, version,
                    ReferenceProfile.ARTIFACT);
            return Optional.empty();
        }
        if (profile.statusCode() != 200) {
            throw unavailable("MLflow answered " + profile.statusCode() + " for the reference profile of " + modelName
                    + " version " + version, null);
        }
        try {
            return Optional.of(ReferenceProfile.parse(EventJson.mapper().readTree(profile.body())));
        } catch (IOException | IllegalArgumentException e) {
            LOG.warnf("The reference profile of %s version %s is not readable (%s): no drift for it", modelName, version,
                    e.getMessage());
            return Optional.empty();
        }
    }

    private JsonNode json(String pathAndQuery) {
        HttpResponse<byte[]> response = get(pathAndQuery);
        if (response.statusCode() == 404) {
            return EventJson.mapper().createObjectNode();
        }
        if (response.statusCode() != 200) {
            throw unavailable("MLflow answered " + response.statusCode() + " to " + pathAndQuery.replaceAll("\\?.*", "")
                    + " (monitor sends " + credentials + ")", null);
        }
        try {
            return EventJson.mapper().readTree(response.body());
        } catch (IOException e) {
            throw unavailable("MLflow's answer to " + pathAndQuery + " is not JSON", e);
        }
    }

    private HttpResponse<byte[]> get(String pathAndQuery) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(timeout).GET();
            credentials.authorization().ifPresent(value -> request.header("Authorization", value));
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw unavailable("MLflow at " + base + " is unreachable: " + e.getClass().getSimpleName(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted while calling MLflow", e);
        }
    }

    private static MonitorException unavailable(String message, Throwable cause) {
        return new MonitorException(Kind.DEPENDENCY_FAILED, message, cause);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
