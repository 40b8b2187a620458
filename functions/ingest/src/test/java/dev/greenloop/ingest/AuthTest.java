package dev.greenloop.ingest;

import dev.greenloop.testkit.quarkus.KafkaResource;
import dev.greenloop.testkit.quarkus.MongoResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.greenloop.ingest.BadInputTest.assertProblem;
import static dev.greenloop.ingest.IngestTesting.*;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(MongoResource.class)
class AuthTest {

    private static final String PATH = "/v1/greenhouses/gh-test/readings";

    private static ExtractableResponse<Response> post(String authorization, String path, String body) {
        var request = given().contentType(ContentType.JSON).body(body);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request.post(path).then().extract();
    }

    @Test
    void missingTokenIs401WithAChallenge() {
        ExtractableResponse<Response> response = post(null, PATH, batch(reading("co2", 500, "ppm", recent(1))));

        assertProblem(response, 401, null, "Bearer");
        assertThat(response.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"greenloop\"");
    }

    @Test
    void wrongTokenAndWrongSchemeAre401() {
        assertProblem(post("Bearer glt_not-a-real-token", PATH, batch(reading("co2", 500, "ppm", recent(1)))),
                401, null, "unknown or revoked");
        assertProblem(post("Basic Y2xpbWF0ZS0xOnNlY3JldA==", PATH, batch(reading("co2", 500, "ppm", recent(1)))),
                401, null, "Bearer");
    }

    @Test
    void deviceOfAnotherGreenhouseZoneOrIdentityIs403() {
        String body = batch(reading("co2", 500, "ppm", recent(1)));

        assertProblem(post("Bearer " + TOKEN, "/v1/greenhouses/gh-other/readings", body), 403, null, "gh-other");
        assertProblem(post("Bearer " + TOKEN, PATH, batchFor("zone-c", DEVICE, reading("co2", 500, "ppm", recent(1)))),
                403, null, "zone-c");
        assertProblem(post("Bearer " + TOKEN, PATH, batchFor(ZONE, "climate-2", reading("co2", 500, "ppm", recent(1)))),
                403, null, "climate-2");
    }

    @Test
    void registeredDeviceCanSendUntilItsTokenIsRevoked() {
        String token = given().contentType(ContentType.JSON).header("Authorization", "Bearer " + ADMIN_TOKEN)
                .body(Map.of("deviceId", "weather-7", "greenhouseId", "gh-test", "zones", java.util.List.of("outside")))
                .post("/v1/admin/devices").then().statusCode(201).extract().jsonPath().getString("token");
        assertThat(token).startsWith("glt_");
        String body = batchFor("outside", "weather-7", reading("outside_temperature", 12.5, "degC", recent(1)));

        post("Bearer " + token, PATH, body).response().then().statusCode(202);
        given().header("Authorization", "Bearer " + ADMIN_TOKEN).delete("/v1/admin/devices/weather-7")
                .then().statusCode(204);

        assertProblem(post("Bearer " + token, PATH, body), 401, null, "revoked");
    }

    @Test
    void reRegisteringADeviceReplacesItsToken() {
        Map<String, Object> registration = Map.of("deviceId", "climate-9", "greenhouseId", "gh-test", "zones", java.util.List.of("zone-b"));
        String first = given().contentType(ContentType.JSON).header("Authorization", "Bearer " + ADMIN_TOKEN)
                .body(registration).post("/v1/admin/devices").then().statusCode(201).extract().jsonPath().getString("token");
        String second = given().contentType(ContentType.JSON).header("Authorization", "Bearer " + ADMIN_TOKEN)
                .body(registration).post("/v1/admin/devices").then().statusCode(201).extract().jsonPath().getString("token");
        String body = batchFor("zone-b", "climate-9", reading("co2", 500, "ppm", recent(1)));

        assertProblem(post("Bearer " + first, PATH, body), 401, null, null);
        post("Bearer " + second, PATH, body).response().then().statusCode(202);
    }

    @Test
    void adminApiNeedsTheAdminTokenAndValidRegistrations() {
        assertProblem(given().contentType(ContentType.JSON).header("Authorization", "Bearer " + TOKEN)
                .body(Map.of("deviceId", "x", "greenhouseId", "gh-test", "zones", java.util.List.of("a")))
                .post("/v1/admin/devices").then().extract(), 401, null, "admin");
        assertProblem(given().contentType(ContentType.JSON).header("Authorization", "Bearer " + ADMIN_TOKEN)
                .body(Map.of("deviceId", "bad id", "greenhouseId", "gh-test", "zones", java.util.List.of()))
                .post("/v1/admin/devices").then().extract(), 422, null, "zones");
        assertProblem(given().header("Authorization", "Bearer " + ADMIN_TOKEN).delete("/v1/admin/devices/nobody")
                .then().extract(), 404, null, "nobody");
    }
}
