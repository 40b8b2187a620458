package dev.greenloop.ingest;

import dev.greenloop.testkit.kafka.KafkaBroker;
import dev.greenloop.testkit.quarkus.KafkaResource;
import dev.greenloop.testkit.quarkus.MongoResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static dev.greenloop.ingest.BadInputTest.assertProblem;
import static dev.greenloop.ingest.IngestTesting.*;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Back-pressure: per-device rate limit (429) and bounded in-flight work (503). Both tests use the
 * one test device, so the in-flight test runs first: the rate test empties the device's bucket.
 */
@QuarkusTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestProfile(LimitsTest.SmallLimits.class)
@WithTestResource(KafkaResource.class)
@WithTestResource(MongoResource.class)
class LimitsTest {

    @TestHTTPResource(value = "metrics", management = true)
    java.net.URL metricsUrl;

    public static class SmallLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("greenloop.ingest.limits.device-items-per-second", "2",
                    "greenloop.ingest.limits.device-burst-items", "10",
                    "greenloop.ingest.limits.max-items-per-request", "10",
                    "greenloop.ingest.limits.max-in-flight-requests", "1",
                    "greenloop.ingest.auth.bootstrap-device.zones", "zone-a,zone-b,zone-r");
        }
    }

    private static ExtractableResponse<Response> send(String zone, int items) {
        String[] readings = new String[items];
        for (int i = 0; i < items; i++) {
            readings[i] = reading("co2", 500 + i, "ppm", java.time.Instant.now().minusSeconds(60L + i).toString());
        }
        return given().contentType(ContentType.JSON).header("Authorization", "Bearer " + TOKEN)
                .body(batchFor(zone, DEVICE, readings)).post("/v1/greenhouses/gh-test/readings").then().extract();
    }

    @Test
    @Order(2)
    void deviceOverItsRateIs429WithRetryAfter() {
        // Drain the bucket: the first request may find it partly used by the other test.
        ExtractableResponse<Response> response = send("zone-r", 10);
        for (int i = 0; i < 3 && response.statusCode() == 202; i++) {
            response = send("zone-r", 10);
        }

        assertProblem(response, 429, null, "items per second");
        assertThat(Integer.parseInt(response.header("Retry-After"))).isBetween(1, 6);
    }

    @Test
    @Order(1)
    void requestsBeyondTheInFlightBoundAre503AtOnce() throws Exception {
        KafkaBroker kafka = KafkaBroker.shared();
        assertThat(send("zone-a", 1).statusCode()).as("a first request, to learn the topic's metadata").isEqualTo(202);
        kafka.pause();
        try {
            CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() -> send("zone-a", 1).statusCode());
            long deadline = System.nanoTime() + 20_000_000_000L;
            String inFlight = "0.0";
            while (!inFlight.equals("1.0") && System.nanoTime() < deadline) {
                inFlight = given().get(metricsUrl).asString().lines()
                        .filter(l -> l.startsWith("greenloop_ingest_requests_in_flight "))
                        .map(l -> l.substring(l.indexOf(' ') + 1)).findFirst().orElse("0.0");
            }
            assertThat(inFlight).isEqualTo("1.0");

            ExtractableResponse<Response> refused = send("zone-b", 1);

            assertProblem(refused, 503, null, "working on 1 requests");
            assertThat(refused.header("Retry-After")).isEqualTo("5");
            kafka.resume();
            assertThat(waiting.get()).isIn(202, 503);
        } finally {
            kafka.resume();
        }
    }
}
