package dev.greenloop.ingest;

import dev.greenloop.testkit.quarkus.KafkaResource;
import dev.greenloop.testkit.quarkus.MongoResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.greenloop.ingest.IngestTesting.*;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** Every kind of bad input gets its documented status and a problem that says what is wrong; never a 5xx. */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(MongoResource.class)
class BadInputTest {

    private static final String PATH = "/v1/greenhouses/gh-test/readings";

    static Stream<Arguments> badBatches() {
        String ok = reading("air_temperature", 21.5, "degC", recent(1));
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 5001; i++) {
            many.add(reading("co2", 500, "ppm", Instant.now().minusSeconds(3600 + i).toString()));
        }
        return Stream.of(
                bad("malformed JSON", "{\"zoneId\": \"zone-a\",", 400, null, "Malformed JSON"),
                bad("not an object", "[" + ok + "]", 400, null, "JSON object"),
                bad("wrong type", batch(reading("air_temperature", "\"warm\"", "degC", recent(1))), 400, "/readings/0/value", null),
                bad("missing field", batch("{\"sensor\":\"co2\",\"value\":400,\"unit\":\"ppm\"}"), 400, "/readings/0/timestamp", null),
                bad("missing zone", "{\"deviceId\":\"climate-1\",\"readings\":[" + ok + "]}", 400, "/zoneId", null),
                bad("NaN", batch(reading("co2", "NaN", "ppm", recent(1))), 400, null, "NaN and Infinity are not JSON"),
                bad("Infinity", batch(reading("co2", "Infinity", "ppm", recent(1))), 400, null, "not JSON"),
                bad("huge number", batch(reading("co2", "1e400", "ppm", recent(1))), 422, "/readings/0/value", null),
                bad("unknown sensor kind", batch(reading("soil_ph", 6.5, "pH", recent(1))), 422, "/readings/0/sensor", null),
                bad("unknown unit", batch(reading("co2", 0.04, "percent", recent(1))), 422, "/readings/0/unit", null),
                bad("future timestamp", batch(reading("co2", 500, "ppm", Instant.now().plusSeconds(3600).toString())), 422,
                        "/readings/0/timestamp", null),
                bad("physically impossible", batch(reading("relative_humidity", 150, "%", recent(1))), 422,
                        "/readings/0/value", null),
                bad("empty batch", batch(), 422, "/readings", "no readings"),
                bad("too many readings", batch(many.toArray(String[]::new)), 413, null, "at most 5000"),
                bad("greenhouse differs from path", "{\"greenhouseId\":\"gh-other\",\"zoneId\":\"zone-a\","
                        + "\"deviceId\":\"climate-1\",\"readings\":[" + ok + "]}", 422, "/greenhouseId", null),
                bad("one bad item fails the whole batch", batch(ok, reading("co2", -5, "ppm", recent(1))), 422,
                        "/readings/1/value", "nothing was accepted"));
    }

    private static Arguments bad(String name, String body, int status, String pointer, String detail) {
        return Arguments.of(name, body, status, pointer, detail);
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("badBatches")
    void badBatchIsAnsweredWithItsStatusAndProblem(String name, String body, int status, String pointer, String detail) {
        ExtractableResponse<Response> response = device().contentType(ContentType.JSON).body(body).post(PATH)
                .then().extract();

        assertProblem(response, status, pointer, detail);
    }

    @Test
    void oversizedBodyIs413() {
        String padding = " ".repeat(4 * 1024 * 1024 + 10);
        ExtractableResponse<Response> response = device().contentType(ContentType.JSON)
                .body(batch(reading("co2", 500, "ppm", recent(1))) + padding).post(PATH).then().extract();

        assertProblem(response, 413, null, "bytes");
    }

    @Test
    void wrongContentTypeIs415() {
        ExtractableResponse<Response> response = device().contentType("text/plain")
                .body(batch(reading("co2", 500, "ppm", recent(1)))).post(PATH).then().extract();

        assertProblem(response, 415, null, "application/json");
    }

    @Test
    void partialAcceptsTheValidItemsAndReportsTheRejectedOnes() {
        ExtractableResponse<Response> response = device().contentType(ContentType.JSON)
                .body(batch(reading("co2", 500, "ppm", recent(2)), reading("co2", -5, "ppm", recent(1)),
                        reading("par", 300, "umol/m2/s", recent(1))))
                .queryParam("partial", true).post(PATH).then().statusCode(202).extract();

        assertThat(response.jsonPath().getInt("accepted")).isEqualTo(2);
        assertThat(response.jsonPath().getInt("rejected")).isEqualTo(1);
        assertThat(response.jsonPath().getString("rejectedItems[0].pointer")).isEqualTo("/readings/1/value");
        assertThat(response.jsonPath().getInt("rejectedItems[0].index")).isEqualTo(1);
        assertThat(response.jsonPath().getString("rejectedItems[0].reason")).contains("physical range");
    }

    @Test
    void partialWithNothingValidIs422() {
        ExtractableResponse<Response> response = device().contentType(ContentType.JSON)
                .body(batch(reading("co2", -5, "ppm", recent(1)))).queryParam("partial", true).post(PATH).then().extract();

        assertProblem(response, 422, "/readings/0/value", "none of the 1 items");
    }

    @Test
    void unknownPathIsAProblemToo() {
        ExtractableResponse<Response> response = device().get("/v1/nothing-here").then().extract();

        assertThat(response.statusCode()).isEqualTo(404);
    }

    static RequestSpecification device() {
        return given().header("Authorization", "Bearer " + TOKEN);
    }

    static void assertProblem(ExtractableResponse<Response> response, int status, String pointer, String detail) {
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.jsonPath().getInt("status")).isEqualTo(status);
        assertThat(response.jsonPath().getString("title")).isNotBlank();
        assertThat(response.jsonPath().getString("type")).startsWith("https://greenloop.dev/problems/");
        if (pointer != null) {
            assertThat(response.jsonPath().getList("errors.pointer", String.class)).contains(pointer);
            assertThat(response.jsonPath().getList("errors.reason", String.class)).allSatisfy(r -> assertThat(r).isNotBlank());
        }
        if (detail != null) {
            assertThat(response.jsonPath().getString("detail")).contains(detail);
        }
    }
}
