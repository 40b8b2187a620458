package dev.greenloop.infer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.events.json.EventJson;
import dev.greenloop.testkit.mlflow.MlflowServer;
import dev.greenloop.testkit.mlflow.TestModelScript;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Models in the test kit's MLflow server, registered the way the trainer registers them
 * ({@link TestModelScript}). Each output is the feature {@code <target>_last} plus a bias, so a test
 * can tell versions apart by their answers.
 */
public final class TestModels {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private TestModels() {
    }

    public static Path trainerDir() {
        return TestModelScript.trainerDir();
    }

    public static URI mlflow() {
        return MlflowServer.shared().trackingUri();
    }

    /** Registers a version, points {@code alias} at it and returns its number. Extra: script options. */
    public static String register(String model, String alias, double bias, String... extra) {
        return registerAt(mlflow(), Map.of(), model, alias, bias, extra);
    }

    /** {@link #register} on the server at {@code tracking}, with {@code env} (MLflow's credential variables). */
    public static String registerAt(URI tracking, Map<String, String> env, String model, String alias, double bias,
                                    String... extra) {
        return TestModelScript.register(trainerDir(), tracking, env, model, alias, bias, extra);
    }

    public static void setAlias(String model, String alias, String version) {
        String body = EventJson.mapper().createObjectNode().put("name", model).put("alias", alias).put("version", version)
                .toString();
        send(HttpRequest.newBuilder(mlflow().resolve("/api/2.0/mlflow/registered-models/alias"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    public static void deleteAlias(String model, String alias) {
        String body = EventJson.mapper().createObjectNode().put("name", model).put("alias", alias).toString();
        send(HttpRequest.newBuilder(mlflow().resolve("/api/2.0/mlflow/registered-models/alias"))
                .header("Content-Type", "application/json").method("DELETE", HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** The version's model.onnx as the registry serves it. */
    public static byte[] onnx(String model, String version) {
        return onnxAt(mlflow(), null, model, version);
    }

    /** {@link #onnx} from the server at {@code tracking}, sending {@code authorization} when not null. */
    public static byte[] onnxAt(URI tracking, String authorization, String model, String version) {
        JsonNode uri = json(send(authorized(HttpRequest.newBuilder(tracking.resolve(
                "/api/2.0/mlflow/model-versions/get-download-uri?name=" + URLEncoder.encode(model, StandardCharsets.UTF_8)
                        + "&version=" + version)), authorization)));
        String path = uri.get("artifact_uri").asText().substring("mlflow-artifacts:/".length());
        return send(authorized(HttpRequest.newBuilder(tracking.resolve("/api/2.0/mlflow-artifacts/artifacts/" + path
                + "/model.onnx")), authorization));
    }

    private static HttpRequest authorized(HttpRequest.Builder request, String authorization) {
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request.build();
    }

    private static JsonNode json(byte[] body) {
        try {
            return EventJson.mapper().readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] send(HttpRequest request) {
        try {
            HttpResponse<byte[]> response = HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(request.uri() + " answered " + response.statusCode() + ": "
                        + new String(response.body(), StandardCharsets.UTF_8));
            }
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
