package dev.greenloop.clients;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The MLflow registry and artifact proxy, read-only, over its REST API with the JDK's HTTP
 * client: every call has a timeout, and a missing alias is an empty answer rather than an error
 * (mlflow-client retries every 4xx as if rate-limited and has no per-call timeout, which a
 * serving path cannot afford). infer loads its models with it, train-launcher the candidate and
 * champion its closed-loop gate runs. Thread-safe.
 */
public class MlflowModels {

    /** MLflow did not answer, or answered with an error. */
    public static class RegistryException extends Exception {
        public RegistryException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ARTIFACTS_SCHEME = "mlflow-artifacts:/";
    private static final String RUNS_SCHEME = "runs:/";

    private final URI base;
    private final Duration timeout;
    private final long maxBytes;
    private final HttpClient http;
    private final MlflowCredentials credentials;

    public MlflowModels(URI base, Duration timeout, long maxBytes) {
        this(base, timeout, maxBytes, MlflowCredentials.none());
    }

    /** With {@code credentials} sent on every call (MLflow's basic auth, or a token for a proxy). */
    public MlflowModels(URI base, Duration timeout, long maxBytes, MlflowCredentials credentials) {
        this.credentials = credentials;
        this.base = base;
        this.timeout = timeout;
        this.maxBytes = maxBytes;
        // HTTP/1.1: the MLflow server answers an HTTP/2 upgrade attempt with two warnings in its log per call.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    public URI base() {
        return base;
    }

    /** The version {@code alias} of {@code modelName} points at, or empty when the model or alias does not exist. */
    public Optional<ModelVersionInfo> resolve(String modelName, String alias) throws RegistryException {
        Map<String, Map<String, String>> found = new HashMap<>();
        aliasesIn(getJson("/api/2.0/mlflow/registered-models/search?max_results=10&filter="
                + encode("name = '" + modelName.replace("'", "\\'") + "'")), found);
        String version = found.getOrDefault(modelName, Map.of()).get(alias);
        if (version == null) {
            return Optional.empty();
        }
        JsonNode mv = getJson("/api/2.0/mlflow/model-versions/get?name=" + encode(modelName) + "&version="
                + encode(version)).path("model_version");
        Map<String, String> tags = new HashMap<>();
        for (JsonNode t : mv.path("tags")) {
            tags.put(t.path("key").asText(), t.path("value").asText());
        }
        JsonNode created = mv.path("creation_timestamp");
        return Optional.of(new ModelVersionInfo(modelName, version, mv.path("run_id").asText(null), tags,
                created.canConvertToLong() ? java.time.Instant.ofEpochMilli(created.asLong()) : null));
    }

    /**
     * The aliases of every registered model whose name starts with {@code prefix}: model name to
     * alias to version. One search (paged by 100), so a replica can check all its models often.
     */
    public Map<String, Map<String, String>> aliases(String prefix) throws RegistryException {
        Map<String, Map<String, String>> result = new HashMap<>();
        String filter = encode("name LIKE '" + prefix.replace("'", "\\'") + "%'");
        String pageToken = null;
        do {
            JsonNode page = getJson("/api/2.0/mlflow/registered-models/search?max_results=100&filter=" + filter
                    + (pageToken == null ? "" : "&page_token=" + encode(pageToken)));
            aliasesIn(page, result);
            pageToken = page.path("next_page_token").asText(null);
        } while (pageToken != null && !pageToken.isEmpty());
        return result;
    }

    /** Adds the aliases of each model of a {@code registered-models/search} answer to {@code into}. */
    private static void aliasesIn(JsonNode page, Map<String, Map<String, String>> into) {
        for (JsonNode model : page.path("registered_models")) {
            Map<String, String> aliases = into.computeIfAbsent(model.path("name").asText(), m -> new HashMap<>());
            for (JsonNode a : model.path("aliases")) {
                aliases.put(a.path("alias").asText(), a.path("version").asText());
            }
        }
    }

    /** The bytes of the version's {@code model.onnx}, through the server's artifact proxy. */
    public byte[] downloadOnnx(String modelName, String version) throws RegistryException {
        return fetch(artifactPath(modelName, version), "model.onnx", maxBytes, modelName, version);
    }

    /**
     * The version's {@code model.onnx} and the files beside it that it names (its external data),
     * through the server's artifact proxy; at most {@code maxBytes} in all.
     */
    public ModelFiles downloadModel(String modelName, String version) throws RegistryException {
        String path = artifactPath(modelName, version);
        JsonNode listing = getJson("/api/2.0/mlflow-artifacts/artifacts?path=" + encode(path));
        byte[] onnx = fetch(path, "model.onnx", maxBytes, modelName, version);
        long left = maxBytes - onnx.length;
        Map<String, byte[]> external = new HashMap<>();
        for (JsonNode file : listing.path("files")) {
            String name = file.path("path").asText("");
            if (file.path("is_dir").asBoolean(false) || name.equals("model.onnx") || !ModelFiles.safeName(name)
                    || !ModelFiles.names(onnx, name)) {
                continue;
            }
            byte[] bytes = fetch(path, name, left, modelName, version);
            left -= bytes.length;
            external.put(name, bytes);
        }
        return new ModelFiles(onnx, external);
    }

    /** Where the version's artifacts are, relative to the artifact proxy's root. */
    private String artifactPath(String modelName, String version) throws RegistryException {
        String uri = getJson("/api/2.0/mlflow/model-versions/get-download-uri?name=" + encode(modelName)
                + "&version=" + encode(version)).path("artifact_uri").asText("");
        if (uri.startsWith(RUNS_SCHEME)) {
            // A version registered from a run's artifacts: runs:/<run id>/<path in the run>.
            String rest = uri.substring(RUNS_SCHEME.length());
            int slash = rest.indexOf('/');
            String runId = slash < 0 ? rest : rest.substring(0, slash);
            String inRun = slash < 0 ? "" : rest.substring(slash + 1);
            String runArtifacts = getJson("/api/2.0/mlflow/runs/get?run_id=" + encode(runId)).path("run").path("info")
                    .path("artifact_uri").asText("");
            uri = inRun.isEmpty() ? runArtifacts : runArtifacts.replaceAll("/+$", "") + "/" + inRun;
        }
        if (!uri.startsWith(ARTIFACTS_SCHEME)) {
            throw new RegistryException("version " + version + " of " + modelName + " is stored at '" + uri
                    + "'; greenloop reads models through MLflow's artifact proxy (mlflow-artifacts:/) only", null);
        }
        return uri.substring(ARTIFACTS_SCHEME.length()).replaceAll("^/+", "");
    }

    /** One file of the version's artifacts, refused when larger than {@code limit} bytes. */
    private byte[] fetch(String path, String name, long limit, String modelName, String version) throws RegistryException {
        HttpResponse<InputStream> response = send(base.resolve("/api/2.0/mlflow-artifacts/artifacts/" + path + "/" + name),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                throw new RegistryException("MLflow answered " + response.statusCode() + " for the " + name + " of "
                        + modelName + " version " + version, null);
            }
            byte[] bytes = in.readNBytes((int) Math.max(0, Math.min(Integer.MAX_VALUE - 8, limit + 1)));
            if (bytes.length > limit) {
                throw new RegistryException("the " + (name.equals("model.onnx") ? "model.onnx" : "model.onnx with its "
                        + "external data") + " of " + modelName + " version " + version + " is larger than " + maxBytes
                        + " bytes", null);
            }
            return bytes;
        } catch (IOException e) {
            throw new RegistryException("reading the " + name + " of " + modelName + " version " + version + " failed: "
                    + e.getMessage(), e);
        }
    }

    private JsonNode getJson(String pathAndQuery) throws RegistryException {
        HttpResponse<byte[]> response = send(base.resolve(pathAndQuery), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            String body = new String(response.body(), StandardCharsets.UTF_8);
            String hint = response.statusCode() == 401 || response.statusCode() == 403
                    ? " (sent " + credentials + "; see greenloop.mlflow.username/password or token)" : "";
            throw new RegistryException("MLflow answered " + response.statusCode() + " to " + pathAndQuery.replaceAll("\\?.*", "")
                    + hint + ": " + body.substring(0, Math.min(300, body.length())), null);
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new RegistryException("MLflow's answer to " + pathAndQuery + " is not JSON", e);
        }
    }

    private <T> HttpResponse<T> send(URI uri, HttpResponse.BodyHandler<T> handler) throws RegistryException {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET();
            credentials.authorization().ifPresent(value -> request.header("Authorization", value));
            return http.send(request.build(), handler);
        } catch (IOException e) {
            throw new RegistryException("MLflow at " + base + " is unreachable: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while calling MLflow", e);
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
