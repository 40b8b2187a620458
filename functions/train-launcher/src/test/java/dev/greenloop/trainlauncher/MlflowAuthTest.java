package dev.greenloop.trainlauncher;

import dev.greenloop.clients.MlflowCredentials;
import dev.greenloop.testkit.mlflow.MlflowServer;
import dev.greenloop.trainlauncher.promote.MlflowRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** train-launcher's registry client against MLflow's basic-auth app: in with the user, out without. */
class MlflowAuthTest {

    private static MlflowServer server;

    @BeforeAll
    static void start() {
        server = MlflowServer.startWithBasicAuth();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theConfiguredUserCreatesRuns() {
        MlflowCredentials admin = MlflowCredentials.fromSettings(name -> Optional.ofNullable(Map.of(
                "greenloop.mlflow.username", MlflowServer.ADMIN_USER,
                "greenloop.mlflow.password", MlflowServer.ADMIN_PASSWORD).get(name)));
        MlflowRegistry registry = new MlflowRegistry(server.trackingUri().toString(), admin, java.time.Clock.systemUTC());

        String runId = registry.createRun("greenloop-gh-auth", "auth-check", Map.of("greenhouse", "gh-auth"));

        assertThat(runId).matches("[0-9a-f]{32}");
    }

    @Test
    void withoutCredentialsNothingIsCreated() {
        MlflowRegistry anonymous = new MlflowRegistry(server.trackingUri().toString(), MlflowCredentials.none(), java.time.Clock.systemUTC());

        assertThatThrownBy(() -> anonymous.createRun("greenloop-gh-auth", "auth-check", Map.of()))
                .hasMessageContaining("401");
    }
}
