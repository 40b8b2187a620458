package dev.greenloop.infer;

import dev.greenloop.infer.model.ModelStore;
import dev.greenloop.testkit.quarkus.MlflowResource;
import dev.greenloop.testkit.quarkus.OidcResource;
import dev.greenloop.testkit.sink.CapturingSink;
import io.quarkus.arc.Arc;
import io.quarkus.arc.InjectableBean;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.enterprise.context.ApplicationScoped;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The model store, and ONNX Runtime with it, is created at start on a thread of its own, not in
 * the first request: with no request, no probe and no alias poll due (the poll waits an hour
 * here), it exists all the same.
 */
@QuarkusTest
@TestProfile(WarmUpTest.NothingElseTouchesTheStore.class)
@WithTestResource(value = OidcResource.class, initArgs = @ResourceArg(name = "audience", value = "greenloop-infer"))
@WithTestResource(MlflowResource.class)
@WithTestResource(CapturingSink.class)
class WarmUpTest {

    public static class NothingElseTouchesTheStore implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("greenloop.infer.poll-interval", "1h");
        }
    }

    @Test
    void theModelStoreIsCreatedAtStartWithoutARequest() throws InterruptedException {
        InjectableBean<ModelStore> bean = Arc.container().instance(ModelStore.class).getBean();
        long deadline = System.nanoTime() + 20_000_000_000L;
        Object store = null;
        while (store == null && System.nanoTime() < deadline) {
            // The context's instance if one was created; asking does not create one.
            store = Arc.container().getActiveContext(ApplicationScoped.class).get(bean);
            Thread.sleep(20);
        }
        assertThat(store).as("the model store 20 s after start, with nothing having asked for it").isNotNull();
    }
}
