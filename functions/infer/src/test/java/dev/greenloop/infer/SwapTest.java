package dev.greenloop.infer;

import io.quarkus.test.common.ResourceArg;
import dev.greenloop.testkit.quarkus.OidcResource;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.json.EventJson;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.ModelPromoted;
import dev.greenloop.testkit.quarkus.MlflowResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A promotion reaches infer by event; requests keep succeeding while models are swapped under
 * them. Alias polling is off here (an hour), so only the events can have moved the model.
 */
@QuarkusTest
@WithTestResource(value = OidcResource.class, initArgs = @ResourceArg(name = "audience", value = "greenloop-infer"))
@TestProfile(SwapTest.NoPolling.class)
@WithTestResource(MlflowResource.class)
class SwapTest {

    public static class NoPolling implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("greenloop.infer.poll-interval", "1h");
        }
    }

    static final List<Double> VECTOR = Direct.vectors(1, 11).get(0);

    static ExtractableResponse<Response> predict(String greenhouse) {
        var body = EventJson.mapper().createObjectNode().put("greenhouseId", greenhouse).put("featureSpecVersion", "v1");
        body.set("features", EventJson.mapper().valueToTree(VECTOR));
        return given().contentType("application/json").body(body.toString()).post("/v1/predict").then().extract();
    }

    static void promoted(String greenhouse, String version) {
        ModelPromoted event = new ModelPromoted(greenhouse, "greenloop-" + greenhouse, version, null, "run-" + version, "v1",
                Map.of());
        given().header("ce-specversion", "1.0").header("ce-id", "promoted-" + greenhouse + "-" + version + "-" + System.nanoTime())
                .header("ce-source", "/greenloop/train-launcher").header("ce-type", EventTypes.MODEL_PROMOTED)
                .contentType("application/json").body(PayloadCodec.write(event)).post("/").then().statusCode(204);
    }

    @Test
    void aPromotionEventSwapsTheModelAndRequestsDuringSwapsAllSucceed() throws Exception {
        String greenhouse = "gh-swap";
        String model = "greenloop-" + greenhouse;
        String first = TestModels.register(model, "champion", 1.0);
        assertThat(predict(greenhouse).jsonPath().getString("modelVersion")).isEqualTo(first);

        String second = TestModels.register(model, "champion", 2.0);
        assertThat(predict(greenhouse).jsonPath().getString("modelVersion")).as("no event yet, no polling").isEqualTo(first);
        promoted(greenhouse, second);
        assertThat(predict(greenhouse).jsonPath().getString("modelVersion")).isEqualTo(second);

        // Swap back and forth while four clients keep asking.
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger answered = new AtomicInteger();
        Set<String> failures = ConcurrentHashMap.newKeySet();
        Set<String> versions = ConcurrentHashMap.newKeySet();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        List<Future<?>> running4 = new java.util.ArrayList<>();
        for (int c = 0; c < 4; c++) {
            running4.add(clients.submit(() -> {
                while (running.get()) {
                    ExtractableResponse<Response> r = predict(greenhouse);
                    if (r.statusCode() != 200) {
                        failures.add(r.statusCode() + " " + r.asString());
                    } else {
                        versions.add(r.jsonPath().getString("modelVersion"));
                        answered.incrementAndGet();
                    }
                }
            }));
        }
        for (int swap = 0; swap < 6; swap++) {
            String target = swap % 2 == 0 ? first : second;
            TestModels.setAlias(model, "champion", target);
            promoted(greenhouse, target);
            Thread.sleep(150);
        }
        running.set(false);
        for (Future<?> f : running4) {
            f.get(30, TimeUnit.SECONDS);
        }
        clients.shutdown();

        assertThat(failures).isEmpty();
        assertThat(answered.get()).isGreaterThan(20);
        assertThat(versions).containsExactlyInAnyOrder(first, second);
        assertThat(predict(greenhouse).jsonPath().getString("modelVersion")).isEqualTo(second);
    }
}
