package dev.greenloop.infer.model;

import dev.greenloop.clients.MlflowCredentials;
import dev.greenloop.clients.MlflowModels;
import dev.greenloop.clients.ModelVersionInfo;
import dev.greenloop.infer.TestModels;
import dev.greenloop.testkit.mlflow.MlflowServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An MLflow server with its basic-auth app: a model registered with MLflow's own credential
 * variables (as the training Job does) is resolved and downloaded by infer with the same user in
 * {@code greenloop.mlflow.*}; without them infer gets a 401 that says which settings to check.
 */
class MlflowAuthTest {

    private static final String MODEL = "greenloop-gh-auth";
    private static MlflowServer server;
    private static String version;

    @BeforeAll
    static void start() {
        server = MlflowServer.startWithBasicAuth();
        version = TestModels.registerAt(server.trackingUri(), Map.of(
                "MLFLOW_TRACKING_USERNAME", MlflowServer.ADMIN_USER,
                "MLFLOW_TRACKING_PASSWORD", MlflowServer.ADMIN_PASSWORD), MODEL, "champion", 0.5);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theChampionIsResolvedAndDownloadedWithTheConfiguredUser() throws Exception {
        MlflowCredentials admin = MlflowCredentials.fromSettings(name -> Optional.ofNullable(Map.of(
                "greenloop.mlflow.username", MlflowServer.ADMIN_USER,
                "greenloop.mlflow.password", MlflowServer.ADMIN_PASSWORD).get(name)));
        MlflowModels models = new MlflowModels(server.trackingUri(), Duration.ofSeconds(10), 64L << 20, admin);

        Optional<ModelVersionInfo> champion = models.resolve(MODEL, "champion");

        assertThat(champion).map(ModelVersionInfo::version).contains(version);
        assertThat(models.downloadOnnx(MODEL, version)).isEqualTo(TestModels.onnxAt(server.trackingUri(),
                MlflowServer.adminAuthorization(), MODEL, version));
    }

    @Test
    void withoutCredentialsTheRegistrySays401AndWhatToSet() {
        MlflowModels anonymous = new MlflowModels(server.trackingUri(), Duration.ofSeconds(10), 64L << 20);

        assertThatThrownBy(() -> anonymous.resolve(MODEL, "champion"))
                .isInstanceOf(MlflowModels.RegistryException.class)
                .hasMessageContaining("401").hasMessageContaining("no credentials")
                .hasMessageContaining("greenloop.mlflow.username/password or token");
    }
}
