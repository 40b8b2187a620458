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
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static dev.greenloop.ingest.BadInputTest.assertProblem;
import static dev.greenloop.ingest.IngestTesting.*;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Back-pressure: per-device rate limit (429) and bounded in-flight work (503). Each test registers
 * a device of its own, so neither depends on what the other did to a rate bucket.
 */
@QuarkusTest
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

    private record TestDevice(String id, String token) {
    }

    /** A device of its own (a fresh rate bucket) for zones a, b and r. */
    private static TestDevice freshDevice() {
        String id = "limits-" + UUID.randomUUID();
        String token = given().contentType(ContentType.JSON).header("Authorization", "Bearer " + ADMIN_TOKEN)
                .body(Map.of("deviceId", id, "greenhouseId", GREENHOUSE, "zones", List.of("zone-a", "zone-b", "zone-r")))
                .post("/v1/admin/devices").then().statusCode(201).extract().jsonPath().getString("token");
        return new TestDevice(id, token);
    }

    private static ExtractableResponse<Response> send(TestDevice device, String zone, int items) {
        String[] readings = new String[items];
        for (int i = 0; i < items; i++) {
            readings[i] = reading("co2", 500 + i, "ppm", java.time.Instant.now().minusSeconds(60L + i).toString());
        }
        return given().contentType(ContentType.JSON).header("Authorization", "Bearer " + device.token())
                .body(batchFor(zone, device.id(), readings)).post("/v1/greenhouses/gh-test/readings").then().extract();
    }

    @Test
    void deviceOverItsRateIs429WithRetryAfter() {
        TestDevice device = freshDevice();
        assertThat(send(device, "zone-r", 10).statusCode()).as("the burst of 10").isEqualTo(202);

        ExtractableResponse<Response> response = send(device, "zone-r", 10);

        assertProblem(response, 429, null, "items per second");
        assertThat(Integer.parseInt(response.header("Retry-After"))).isBetween(1, 6);
    }

    @Test
    void requestsBeyondTheInFlightBoundAre503AtOnce() throws Exception {
        TestDevice device = freshDevice();
        KafkaBroker kafka = KafkaBroker.shared();
        assertThat(send(device, "zone-a", 1).statusCode()).as("a first request, to learn the topic's metadata").isEqualTo(202);
        kafka.pause();
        try {
            CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() -> send(device, "zone-a", 1).statusCode());
            long deadline = System.nanoTime() + 20_000_000_000L;
            String inFlight = "0.0";
            while (!inFlight.equals("1.0") && System.nanoTime() < deadline) {
                inFlight = given().get(metricsUrl).asString().lines()
                        .filter(l -> l.startsWith("greenloop_ingest_requests_in_flight{"))
                        .map(l -> l.substring(l.lastIndexOf(' ') + 1)).findFirst().orElse("0.0");
            }
            assertThat(inFlight).isEqualTo("1.0");

            ExtractableResponse<Response> refused = send(device, "zone-b", 1);

            assertProblem(refused, 503, null, "working on 1 requests");
            assertThat(refused.header("Retry-After")).isEqualTo("5");
            kafka.resume();
            assertThat(waiting.get()).isIn(202, 503);
        } finally {
            kafka.resume();
        }
    }
}
