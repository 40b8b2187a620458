package dev.greenloop.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.events.json.EventJson;
import dev.greenloop.monitor.drift.ReferenceProfile;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** Model versions registered in the test kit's MLflow as the trainer registers them, with or without a reference profile. */
public final class TestModels {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private TestModels() {
    }

    private static JsonNode post(URI mlflow, String path, String json) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(mlflow.resolve(path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return EventJson.mapper().readTree(response.body());
    }

    /** A registered version whose run holds {@code profile} (none when null); its version number. */
    public static String register(URI mlflow, String model, String profile) throws Exception {
        JsonNode run = post(mlflow, "/api/2.0/mlflow/runs/create", "{\"experiment_id\":\"0\"}").path("run").path("info");
        String artifacts = run.path("artifact_uri").asText();
        assertThat(artifacts).startsWith("mlflow-artifacts:/");
        if (profile != null) {
            String path = artifacts.substring("mlflow-artifacts:/".length()).replaceAll("^/+", "");
            HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(mlflow.resolve("/api/2.0/mlflow-artifacts/artifacts/"
                    + path + "/" + ReferenceProfile.ARTIFACT)).PUT(HttpRequest.BodyPublishers.ofString(profile)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        }
        post(mlflow, "/api/2.0/mlflow/registered-models/create", "{\"name\":\"" + model + "\"}");
        return post(mlflow, "/api/2.0/mlflow/model-versions/create", "{\"name\":\"" + model + "\",\"source\":\"" + artifacts
                + "/model\",\"run_id\":\"" + run.path("run_id").asText() + "\"}").path("model_version").path("version").asText();
    }

}
