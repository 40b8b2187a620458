package dev.greenloop.trainlauncher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.events.json.EventJson;
import dev.greenloop.features.FeatureSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The trainer checks datasets against its copy of the feature spec; that copy must be this one. */
class TrainerFeatureSpecTest {

    @Test
    void theTrainersCopyOfTheFeatureSpecIsTheJavaOne() throws Exception {
        Path copy = TrainerResource.trainerDir().resolve("greenloop_trainer/feature-spec-v1.json");
        assertThat(copy).exists();
        JsonNode trainer = EventJson.mapper().readTree(Files.readAllBytes(copy));
        JsonNode java = EventJson.mapper().valueToTree(FeatureSpec.V1.describe());
        assertThat(trainer.toString())
                .as("trainer/greenloop_trainer/feature-spec-v1.json is stale; copy libs/features' export over it")
                .isEqualTo(java.toString());
    }
}
