package dev.greenloop.infer.model;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.greenloop.clients.ModelVersionInfo;
import dev.greenloop.infer.TestModels;
import dev.greenloop.testkit.junit.MlflowExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The model contract's checks say everything wrong with a version at once, each problem with
 * its fix, so whoever registered it mends it in one go (models from the trainer's test script,
 * registered in the test kit's MLflow, loaded with the tags each case gives).
 */
@ExtendWith(MlflowExtension.class)
class LoadedModelTest {

    private static ModelLoadException refusal(String version, byte[] onnx, Map<String, String> tags) throws Exception {
        ModelVersionInfo info = new ModelVersionInfo("greenloop-contract", version, "run-1", tags);
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            return catchThrowableOfType(ModelLoadException.class,
                    () -> LoadedModel.load(OrtEnvironment.getEnvironment(), options, info, "champion", onnx));
        }
    }

    private static byte[] registered(String... extra) {
        String model = "greenloop-gh-" + UUID.randomUUID().toString().substring(0, 8);
        String version = TestModels.register(model, "champion", 1.0, extra);
        return TestModels.onnx(model, version);
    }

    @Test
    void aBadHorizonTagAndAWrongInputWidthAreSaidTogetherWithTheirFixes() throws Exception {
        ModelLoadException e = refusal("7", registered("--width", "100"),
                Map.of("feature_spec_version", "v1", "horizon_minutes", "soon"));

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).startsWith("greenloop-contract version 7 cannot be served (2 problems): 1. ")
                .contains("horizon_minutes tag \"soon\" is not a whole number (fix: tag the version horizon_minutes=15")
                .contains("of shape [-1, 100]").contains("feature spec v1 gives [n, 149]");
        assertThat(e.reason()).as("the metric tag: the first problem's kind").isEqualTo("tags");
    }

    @Test
    void aVersionWithoutTagsIsToldBothTags() throws Exception {
        ModelLoadException e = refusal("8", registered(), Map.of());

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("(2 problems)").contains("no feature_spec_version tag (fix: tag the version"
                + " feature_spec_version=v1 or v2").contains("no horizon_minutes tag");
    }

    @Test
    void aSignatureProblemAloneIsOneProblem() throws Exception {
        ModelLoadException e = refusal("9", registered("--width", "100"),
                Map.of("feature_spec_version", "v1", "horizon_minutes", "15"));

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).startsWith("greenloop-contract version 9 cannot be served: it takes input")
                .doesNotContain("problems");
        assertThat(e.reason()).isEqualTo("signature");
    }

    @Test
    void anIntervalWithOneBoundIsRefusedWithItsFix() throws Exception {
        ModelLoadException e = refusal("11", registered("--interval", "0.5", "--interval-without-high", "--targets",
                "air_temperature"), Map.of("feature_spec_version", "v1", "horizon_minutes", "15"));

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).isEqualTo("greenloop-contract version 11 cannot be served: it has air_temperature_low "
                + "without air_temperature_high (fix: export both bounds of the interval, or neither)");
        assertThat(e.reason()).isEqualTo("signature");
    }

    @Test
    void aModelThatMeetsTheContractLoads() throws Exception {
        ModelVersionInfo info = new ModelVersionInfo("greenloop-contract", "10", "run-1",
                Map.of("feature_spec_version", "v1", "horizon_minutes", "15"));
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            LoadedModel model = LoadedModel.load(OrtEnvironment.getEnvironment(), options, info, "champion", registered());
            assertThat(model.horizonMinutes()).isEqualTo(15);
            model.retire();
        }
    }
}
