package dev.greenloop.clients;

import dev.greenloop.testkit.mlflow.MlflowServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The settings to an Authorization header, and that header against MLflow's basic-auth app. */
class MlflowCredentialsTest {

    private static MlflowServer server;
    private final HttpClient http = HttpClient.newHttpClient();

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

    private int search(MlflowCredentials credentials) throws Exception {
        URI uri = server.trackingUri().resolve("/api/2.0/mlflow/registered-models/search?max_results=1");
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
        credentials.authorization().ifPresent(value -> request.header("Authorization", value));
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static MlflowCredentials from(Map<String, String> settings) {
        return MlflowCredentials.fromSettings(name -> Optional.ofNullable(settings.get(name)));
    }

    @Test
    void theUserAndPasswordOfTheSettingsAreLetIn() throws Exception {
        MlflowCredentials credentials = from(Map.of("greenloop.mlflow.username", MlflowServer.ADMIN_USER,
                "greenloop.mlflow.password", MlflowServer.ADMIN_PASSWORD));

        assertThat(search(credentials)).isEqualTo(200);
        assertThat(credentials.toString()).isEqualTo("basic auth as " + MlflowServer.ADMIN_USER);
    }

    @Test
    void noCredentialsOrAWrongPasswordAreRefused() throws Exception {
        assertThat(search(MlflowCredentials.none())).isEqualTo(401);
        assertThat(search(from(Map.of("greenloop.mlflow.username", MlflowServer.ADMIN_USER,
                "greenloop.mlflow.password", "guess")))).isEqualTo(401);
    }

    @Test
    void aTokenIsSentAsBearerAndWinsOverAUser() {
        MlflowCredentials credentials = from(Map.of("greenloop.mlflow.token", "t0k",
                "greenloop.mlflow.username", "u", "greenloop.mlflow.password", "p"));

        assertThat(credentials.authorization()).contains("Bearer t0k");
        assertThat(credentials.toString()).isEqualTo("token");
        assertThat(from(Map.of()).authorization()).isEmpty();
    }

    @Test
    void aUserWithoutPasswordIsAConfigurationError() {
        assertThatThrownBy(() -> from(Map.of("greenloop.mlflow.username", "u")))
                .hasMessageContaining("greenloop.mlflow.username and greenloop.mlflow.password go together");
    }
}
