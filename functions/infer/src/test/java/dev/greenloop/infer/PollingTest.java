package dev.greenloop.infer;

import io.quarkus.test.common.ResourceArg;
import dev.greenloop.testkit.quarkus.OidcResource;
import dev.greenloop.testkit.quarkus.MlflowResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A replica that saw no promotion event still moves to the new champion, by checking the alias. */
@QuarkusTest
@WithTestResource(value = OidcResource.class, initArgs = @ResourceArg(name = "audience", value = "greenloop-infer"))
@TestProfile(PollingTest.FastPolling.class)
@WithTestResource(MlflowResource.class)
class PollingTest {

    public static class FastPolling implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("greenloop.infer.poll-interval", "1s");
        }
    }

    @Test
    void aMovedAliasIsPickedUpWithoutAnEvent() throws Exception {
        String greenhouse = "gh-poll";
        String model = "greenloop-" + greenhouse;
        String first = TestModels.register(model, "champion", 1.0);
        assertThat(SwapTest.predict(greenhouse).jsonPath().getString("modelVersion")).isEqualTo(first);

        String second = TestModels.register(model, "champion", 2.0);

        String served = first;
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!served.equals(second) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            served = SwapTest.predict(greenhouse).jsonPath().getString("modelVersion");
        }
        assertThat(served).isEqualTo(second);
    }
}
