package dev.greenloop.testkit.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.greenloop.testkit.junit.MlflowExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mlflow.api.proto.ModelRegistry;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(MlflowExtension.class)
class MlflowServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void trackingArtifactProxyAndRegistryWorkThroughTheJavaClient(MlflowServer mlflow) throws Exception {
        MlflowClient client = new MlflowClient(mlflow.trackingUri().toString());
        String suffix = UUID.randomUUID().toString().substring(0, 8);

        String experimentId = client.createExperiment("testkit-" + suffix);
        Service.RunInfo run = client.createRun(experimentId);
        String runId = run.getRunId();
        client.logParam(runId, "max_depth", "6");
        for (int step = 0; step < 5; step++) {
            client.logMetric(runId, "rmse", 1.0 / (step + 1), System.currentTimeMillis(), step);
        }
        client.logMetric(runId, "mae", 0.42);
        client.setTerminated(runId, Service.RunStatus.FINISHED);

        Service.Run stored = client.getRun(runId);
        assertThat(stored.getData().getParamsList()).anySatisfy(p -> {
            assertThat(p.getKey()).isEqualTo("max_depth");
            assertThat(p.getValue()).isEqualTo("6");
        });
        assertThat(client.getMetricHistory(runId, "rmse")).hasSize(5);
        assertThat(stored.getInfo().getStatus()).isEqualTo(Service.RunStatus.FINISHED);

        // Artifacts go through the server's proxy: mlflow-artifacts:/<experiment>/<run>/artifacts/...
        String artifactUri = stored.getInfo().getArtifactUri();
        assertThat(artifactUri).startsWith("mlflow-artifacts:/");
        String artifactPath = artifactUri.substring("mlflow-artifacts:/".length()) + "/model/model.onnx";
        byte[] model = ("onnx-bytes-" + suffix).repeat(1000).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        HttpClient http = HttpClient.newHttpClient();
        URI artifact = mlflow.trackingUri().resolve("/api/2.0/mlflow-artifacts/artifacts/" + artifactPath);

        HttpResponse<String> put = http.send(HttpRequest.newBuilder(artifact)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(model)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        HttpResponse<byte[]> get = http.send(HttpRequest.newBuilder(artifact).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEqualTo(model);
        assertThat(mlflow.artifactDirectory().resolve(artifactPath)).exists();

        // Registry writes through the client's raw REST calls.
        String modelName = "greenloop-testkit-" + suffix;
        client.sendPost("registered-models/create", JSON.writeValueAsString(Map.of("name", modelName)));
        JsonNode version = JSON.readTree(client.sendPost("model-versions/create", JSON.writeValueAsString(Map.of(
                "name", modelName, "source", artifactUri + "/model", "run_id", runId)))).get("model_version");
        assertThat(version.get("version").asText()).isEqualTo("1");

        client.sendPost("registered-models/alias", JSON.writeValueAsString(Map.of(
                "name", modelName, "alias", "champion", "version", "1")));
        JsonNode champion = JSON.readTree(client.sendGet("registered-models/alias?name=" + modelName + "&alias=champion"))
                .get("model_version");
        assertThat(champion.get("version").asText()).isEqualTo("1");
        assertThat(champion.get("run_id").asText()).isEqualTo(runId);
        assertThat(champion.get("aliases")).extracting(JsonNode::asText).containsExactly("champion");

        ModelRegistry.ModelVersion typed = client.getModelVersion(modelName, "1");
        assertThat(typed.getSource()).isEqualTo(artifactUri + "/model");
        assertThat(List.of(typed.getRunId())).containsExactly(runId);
    }
}
