package dev.greenloop.trainlauncher;

import dev.greenloop.features.FeatureSpec;
import dev.greenloop.trainlauncher.promote.ClosedLoopGate;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which spec the closed-loop gate reads a version with: its tag, when the loop's features start with it. */
class ClosedLoopGateSpecTest {

    @Test
    void aVersionIsReadWithTheSpecItsTagNames() {
        assertThat(ClosedLoopGate.specOf("m version 1", Map.of("feature_spec_version", "v1"), FeatureSpec.V2))
                .isSameAs(FeatureSpec.V1);
        assertThat(ClosedLoopGate.specOf("m version 2", Map.of("feature_spec_version", "v2"), FeatureSpec.V2))
                .isSameAs(FeatureSpec.V2);
        assertThat(ClosedLoopGate.specOf("m version 3", Map.of(), FeatureSpec.V2)).as("before the tag: v1")
                .isSameAs(FeatureSpec.V1);
    }

    @Test
    void aSpecTheLoopCannotGiveIsRefusedWithWhy() {
        assertThatThrownBy(() -> ClosedLoopGate.specOf("m version 4", Map.of("feature_spec_version", "v9"), FeatureSpec.V2))
                .hasMessageContaining("m version 4 was trained on feature spec v9, which this build does not compute");
        assertThatThrownBy(() -> ClosedLoopGate.specOf("m version 5", Map.of("feature_spec_version", "v2"), FeatureSpec.V1))
                .hasMessageContaining("the closed loop computes v1, which does not start with it");
    }
}
