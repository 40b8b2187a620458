package dev.greenloop.ingest;

import dev.greenloop.events.EventTypes;
import dev.greenloop.testkit.http.HttpLayerCases;
import dev.greenloop.testkit.quarkus.KafkaResource;
import dev.greenloop.testkit.quarkus.MongoResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;

import static dev.greenloop.ingest.IngestTesting.*;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile input to ingest's three doors (readings over HTTP, CloudEvents, the admin API), one
 * row per case: each is a 4xx problem that says what is wrong, and nothing of it reaches Kafka.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(MongoResource.class)
class HostileInputTest {

    @TestHTTPResource("/")
    URL root;

    private static final String TRACEPARENT = "00-11111111111111111111111111111111-2222222222222222-01";

    record Case(String name, Function<RequestSpecification, Response> request, int status, String detail) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static String data(String value) {
        return "{\"greenhouseId\":\"gh-test\",\"zoneId\":\"zone-a\",\"deviceId\":\"climate-1\",\"readings\":["
                + "{\"sensor\":\"air_temperature\",\"value\":" + value + ",\"unit\":\"degC\",\"timestamp\":\"" + recent(1) + "\"}]}";
    }

    private static String structured(String id, String extra, String data) {
        return "{\"specversion\":\"1.0\",\"id\":" + id + ",\"source\":\"/gateways/gw-1\",\"type\":\"" + EventTypes.SENSOR_READINGS
                + "\"" + extra + ",\"datacontenttype\":\"application/json\",\"data\":" + data + "}";
    }

    private static Function<RequestSpecification, Response> binary(String id, String header, String value, String body) {
        return r -> {
            RequestSpecification s = r.header("ce-specversion", "1.0").header("ce-id", id).header("ce-source", "/gateways/gw-1")
                    .header("ce-type", EventTypes.SENSOR_READINGS).contentType("application/json").body(body);
            if (header != null) {
                s = s.header(header, value);
            }
            return s.post("/");
        };
    }

    private static String manyEvents(int events, int readingsEach) {
        List<String> list = new ArrayList<>();
        for (int e = 0; e < events; e++) {
            List<String> readings = new ArrayList<>();
            for (int i = 0; i < readingsEach; i++) {
                readings.add(reading("co2", 500 + i, "ppm", recent(1 + (e * readingsEach + i) % 600)));
            }
            list.add(structured("\"many-" + UUID.randomUUID() + "\"", "", "{\"greenhouseId\":\"gh-test\",\"zoneId\":\"zone-a\","
                    + "\"deviceId\":\"climate-1\",\"readings\":[" + String.join(",", readings) + "]}"));
        }
        return "[" + String.join(",", list) + "]";
    }

    static Stream<Case> cases() {
        String admin = "Bearer " + ADMIN_TOKEN;
        return Stream.of(
                new Case("reading of 1e9999999999 over HTTP", r -> r.contentType("application/json").body(data("1e9999999999"))
                        .post("/v1/greenhouses/gh-test/readings"), 400, "out of range"),
                new Case("reading of 1e9999999999 in a binary event", binary("e-1", null, null, data("1e9999999999")), 400,
                        "out of range"),
                new Case("empty event id", binary("", null, null, data("21.5")), 400, "id"),
                new Case("event id of 2,000 characters", binary("i".repeat(2000), null, null, data("21.5")), 400, "id"),
                new Case("traceparent of garbage", binary("e-2", "ce-traceparent", "garbage", data("21.5")), 400, "traceparent"),
                new Case("tracestate of 6,000 characters", binary("e-3", "ce-tracestate", "a=" + "b".repeat(6000),
                        data("21.5")), 400, "tracestate"),
                new Case("structured without specversion", r -> r.contentType("application/cloudevents+json")
                        .body(structured("\"e-4\"", "", data("21.5")).replace("\"specversion\":\"1.0\",", "")).post("/"),
                        400, "specversion"),
                new Case("structured with time without seconds", r -> r.contentType("application/cloudevents+json")
                        .body(structured("\"e-5\"", ",\"time\":\"2026-06-21T12:00Z\"", data("21.5"))).post("/"), 400, "time"),
                new Case("structured with an empty subject", r -> r.contentType("application/cloudevents+json")
                        .body(structured("\"e-6\"", ",\"subject\":\"\"", data("21.5"))).post("/"), 400, "subject"),
                new Case("structured with datacontenttype xyz", r -> r.contentType("application/cloudevents+json")
                        .body(structured("\"e-7\"", "", data("21.5")).replace("\"application/json\"", "\"xyz\"")).post("/"),
                        400, "datacontenttype"),
                new Case("a null element in a batch", r -> r.contentType("application/cloudevents-batch+json")
                        .body("[" + structured("\"e-8\"", "", data("21.5")) + ",null]").post("/"), 400, "event /1"),
                new Case("1,200 events of 5 readings: 6,000 items in one request", r -> r
                        .contentType("application/cloudevents-batch+json").body(manyEvents(1200, 5)).post("/"), 413,
                        "6000 items together"),
                new Case("readings: 300,000 empty objects, 900 kB that would be a tree of 30 MB", r -> r
                        .contentType("application/json").body("{\"zoneId\":\"zone-a\",\"deviceId\":\"climate-1\",\"readings\":["
                                + "{},".repeat(300_000) + "{}]}").post("/v1/greenhouses/gh-test/readings"), 413,
                        "JSON values and names; a request of at most 5000 items"),
                new Case("a CloudEvents batch of 300,000 empty objects", r -> r.contentType("application/cloudevents-batch+json")
                        .body("[" + "{},".repeat(300_000) + "{}]").post("/"), 413, "send fewer items per request"),
                new Case("readings without a Content-Type", r -> r.noContentType().body(data("21.5").getBytes())
                        .post("/v1/greenhouses/gh-test/readings"), 415, "no Content-Type"),
                new Case("readings as application/json;;;", r -> r.contentType("application/json;;;").body(data("21.5"))
                        .post("/v1/greenhouses/gh-test/readings"), 415, "is not accepted"),
                new Case("readings said to be gzip", r -> r.contentType("application/json").header("Content-Encoding", "gzip")
                        .body(data("21.5")).post("/v1/greenhouses/gh-test/readings"), 415, "uncompressed"),
                new Case("admin: no Content-Type", r -> r.header("Authorization", admin).noContentType()
                        .body("{\"deviceId\":\"d-n\",\"greenhouseId\":\"gh-test\",\"zones\":[\"zone-a\"]}".getBytes())
                        .post("/v1/admin/devices"), 415, "no Content-Type"),
                new Case("admin: greenhouseId as a number", r -> r.header("Authorization", admin).contentType("application/json")
                        .body("{\"deviceId\":\"d-x\",\"greenhouseId\":7,\"zones\":[\"zone-a\"]}").post("/v1/admin/devices"),
                        400, "greenhouseId"),
                new Case("admin: array body", r -> r.header("Authorization", admin).contentType("application/json")
                        .body("[]").post("/v1/admin/devices"), 400, "expected shape"),
                new Case("admin: trailing garbage", r -> r.header("Authorization", admin).contentType("application/json")
                        .body("{\"deviceId\":\"d-y\",\"greenhouseId\":\"gh-test\",\"zones\":[\"zone-a\"]} x")
                        .post("/v1/admin/devices"), 400, "expected shape"),
                new Case("admin: unknown field", r -> r.header("Authorization", admin).contentType("application/json")
                        .body("{\"deviceId\":\"d-z\",\"greenhouseId\":\"gh-test\",\"zones\":[\"zone-a\"],\"role\":\"admin\"}")
                        .post("/v1/admin/devices"), 400, "role"),
                new Case("admin: deep nesting", r -> r.header("Authorization", admin).contentType("application/json")
                        .body("{\"zones\":" + "[".repeat(5000) + "]".repeat(5000) + "}").post("/v1/admin/devices"), 400,
                        "expected shape"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void hostileInputIsAProblemThatSaysWhy(Case c) {
        RequestSpecification request = c.name().startsWith("admin:") ? given()
                : given().header("Authorization", "Bearer " + TOKEN);
        ExtractableResponse<Response> response = c.request().apply(request).then().extract();

        assertThat(response.statusCode()).as(response.body().asString()).isEqualTo(c.status());
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.body().asString()).as(response.body().asString()).contains(c.detail());
    }

    static List<HttpLayerCases.Case> httpLayerCases() {
        return HttpLayerCases.cases("/v1/greenhouses/gh-test/readings");
    }

    /** What the HTTP layer answers itself comes at once, and the function serves the next request. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("httpLayerCases")
    void requestsTheHttpLayerRefusesAreAnsweredAtOnce(HttpLayerCases.Case c) throws IOException {
        HttpLayerCases.assertAnsweredAtOnce(root, c);
    }
}
