package dev.greenloop.monitor.drift;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.greenloop.clients.MlflowCredentials;
import dev.greenloop.events.json.EventJson;
import dev.greenloop.monitor.TestModels;
import dev.greenloop.testkit.mlflow.MlflowServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A reference profile round-trips through a real MLflow server: stored as the trainer stores it
 * (an artifact of the model version's run, behind the artifact proxy), read by monitor.
 */
class ReferenceProfilesTest {

    private static URI mlflow;

    @BeforeAll
    static void start() {
        mlflow = MlflowServer.shared().trackingUri();
    }

    @Test
    void theProfileOfAVersionIsReadFromItsRun() throws Exception {
        ObjectNode profile = EventJson.mapper().createObjectNode().put("featureSpecVersion", "v1");
        profile.putObject("features").putObject("air_temperature_last").put("missingShare", 0.02)
                .<ObjectNode>set("edges", EventJson.mapper().valueToTree(new double[] {18.0, 21.5}))
                .set("shares", EventJson.mapper().valueToTree(new double[] {0.3, 0.4, 0.3}));
        profile.putObject("importances").put("air_temperature_last", 1.0);
        String model = "greenloop-profile-" + UUID.randomUUID().toString().substring(0, 6);
        String version = TestModels.register(mlflow, model, profile.toString());

        Optional<ReferenceProfile> read = new ReferenceProfiles(mlflow, Duration.ofSeconds(10), MlflowCredentials.none())
                .of(model, version);

        assertThat(read).isPresent();
        ReferenceProfile.Feature f = read.get().features().get("air_temperature_last");
        assertThat(f.edges()).containsExactly(18.0, 21.5);
        assertThat(f.shares()).containsExactly(0.3, 0.4, 0.3);
        assertThat(f.missing()).isEqualTo(0.02);
        assertThat(read.get().mostImportant(5)).containsExactly("air_temperature_last");
    }

    @Test
    void aVersionWithoutAProfileHasNone() throws Exception {
        String model = "greenloop-noprofile-" + UUID.randomUUID().toString().substring(0, 6);
        String version = TestModels.register(mlflow, model, null);
        ReferenceProfiles profiles = new ReferenceProfiles(mlflow, Duration.ofSeconds(10), MlflowCredentials.none());

        assertThat(profiles.of(model, version)).isEmpty();
        assertThat(profiles.of(model, "99")).as("an unknown version").isEmpty();
    }
}
