package dev.greenloop.trainlauncher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.events.json.EventJson;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.features.FeatureSpecExport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The trainer checks datasets against its copies of the feature specs; each must be the Java one. */
class TrainerFeatureSpecTest {

    static java.util.List<FeatureSpec> specs() {
        return FeatureSpec.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void theTrainersCopyOfTheFeatureSpecIsTheJavaOne(FeatureSpec spec) throws Exception {
        String file = FeatureSpecExport.fileName(spec);
        Path copy = TrainerResource.trainerDir().resolve("greenloop_trainer/" + file);
        assertThat(copy).as("trainer/greenloop_trainer/" + file).exists();
        JsonNode trainer = EventJson.mapper().readTree(Files.readAllBytes(copy));
        JsonNode java = EventJson.mapper().valueToTree(spec.describe());
        assertThat(trainer.toString())
                .as("trainer/greenloop_trainer/" + file + " is stale; copy libs/features' export over it")
                .isEqualTo(java.toString());
    }
}
