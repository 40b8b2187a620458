package dev.greenloop.control;

import dev.greenloop.events.EventTypes;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.Prediction;
import dev.greenloop.testkit.http.HttpLayerCases;
import dev.greenloop.testkit.http.RawHttp;
import dev.greenloop.testkit.http.RawHttp.Case;
import dev.greenloop.testkit.quarkus.KafkaResource;
import dev.greenloop.testkit.quarkus.MongoResource;
import dev.greenloop.testkit.quarkus.OidcResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static dev.greenloop.control.ControlTesting.GH;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile input to control's two doors, the CloudEvents endpoint and the gateways' acknowledgement
 * API: every case is answered at once with a 4xx problem and has no effect.
 */
@QuarkusTest
@WithTestResource(value = OidcResource.class, initArgs = @ResourceArg(name = "audience", value = "greenloop-control"))
@TestProfile(ControlTestProfile.class)
@WithTestResource(KafkaResource.class)
@WithTestResource(MongoResource.class)
class HostileInputTest {

    @TestHTTPResource("/")
    URL root;

    static Stream<Case> ackCases() {
        String valid = "\"status\":\"applied\",\"keyId\":\"k\",\"signature\":\"c2ln\"";
        return Stream.of(
                new Case("empty body", "application/json", "", 400, "the body is empty"),
                new Case("JSON null", "application/json", "null", 400, "needs status"),
                new Case("array body", "application/json", "[]", 400, "JSON"),
                new Case("number for ackedAt", "application/json", "{" + valid + ",\"ackedAt\":5}", 400, "ackedAt"),
                new Case("ackedAt 300 million years ahead", "application/json",
                        "{" + valid + ",\"ackedAt\":\"+300000000-01-01T00:00:00Z\"}", 400, "ackedAt"),
                new Case("ackedAt 300 million years ago", "application/json",
                        "{" + valid + ",\"ackedAt\":\"-300000000-01-01T00:00:00Z\"}", 400, "ackedAt"),
                new Case("status of the wrong type", "application/json",
                        "{\"status\":[1],\"ackedAt\":\"2026-01-01T00:00:00Z\",\"keyId\":\"k\",\"signature\":\"s\"}", 400, "status"),
                new Case("status outside the three", "application/json",
                        "{\"status\":\"done\",\"keyId\":\"k\",\"signature\":\"" + "A".repeat(43) + "\",\"ackedAt\":\"2026-01-01T00:00:00Z\"}",
                        400, "/status must be one of applied, rejected, failed"),
                new Case("signature too short to be a MAC", "application/json",
                        "{" + valid + ",\"ackedAt\":\"2026-01-01T00:00:00Z\"}", 400, "/signature must be 16 to 128"),
                new Case("keyId with a slash", "application/json", "{\"status\":\"applied\",\"keyId\":\"k/../x\",\"signature\":\""
                        + "A".repeat(43) + "\",\"ackedAt\":\"2026-01-01T00:00:00Z\"}", 400, "/keyId must be"),
                new Case("no signature", "application/json", "{\"status\":\"applied\",\"keyId\":\"k\",\"ackedAt\":\"2026-01-01T00:00:00Z\"}",
                        400, "/signature is required"),
                new Case("trailing garbage", "application/json",
                        "{" + valid + ",\"ackedAt\":\"2026-01-01T00:00:00Z\"} {}", 400, "JSON"),
                new Case("unknown field", "application/json",
                        "{" + valid + ",\"ackedAt\":\"2026-01-01T00:00:00Z\",\"extra\":1}", 400, "extra"),
                new Case("deep nesting", "application/json", "[".repeat(5000) + "]".repeat(5000), 400, "JSON"),
                new Case("no content type", null, "{" + valid + ",\"ackedAt\":\"2026-01-01T00:00:00Z\"}", 415, "application/json"),
                new Case("text content type", "text/plain", "{" + valid + ",\"ackedAt\":\"2026-01-01T00:00:00Z\"}", 415,
                        "application/json"),
                new Case("content type with empty parameters", "application/json;;;",
                        "{" + valid + ",\"ackedAt\":\"2026-01-01T00:00:00Z\"}", 415, "application/json"),
                new Case("two content types", "application/json", Map.of("Content-Type", "text/plain"),
                        "{" + valid + ",\"ackedAt\":\"2026-01-01T00:00:00Z\"}", 400, "given 2 times"),
                new Case("gzip that is not", "application/json", Map.of("Content-Encoding", "gzip"),
                        "{" + valid + ",\"ackedAt\":\"2026-01-01T00:00:00Z\"}", 415, "uncompressed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ackCases")
    void acknowledgementsThatAreNotJsonOrNotValidAreProblems(Case c) throws IOException {
        RawHttp.assertProblem(root, "/v1/commands/cmd-unknown/ack", c);
    }

    @Test
    void aBodyAboveTheLimitIsA413ProblemBeforeItIsRead() throws IOException {
        RawHttp.Answer answer = raw("POST", "/v1/commands/cmd-unknown/ack", "application/json",
                ("{\"note\":\"" + "x".repeat(300_000) + "\"}").getBytes(StandardCharsets.UTF_8), Map.of());

        assertThat(answer.status()).as(answer.toString()).isEqualTo(413);
        assertThat(answer.header("content-type")).startsWith("application/problem+json");
        assertThat(answer.body()).contains("larger than this function accepts");
    }

    @Test
    void aPredictionFromTheFutureIsRefusedAndDoesNotPoisonTheZone() {
        String z = ControlTesting.zone();
        Instant windowEnd = ControlTesting.lastWindowEnd();
        ControlTesting.settingsAtLocalHour(GH, z, 14);
        ControlTesting.measured(GH, z, windowEnd, ControlTesting.climate(26.0, 70, 700, 1200, 800, 30));
        ControlTesting.actuators(GH, z, 40, 10, 0, 0, 0);

        Prediction poisoned = ControlTesting.prediction(GH, z, Instant.parse("9999-12-31T23:59:00Z"), 28.5, 70.0, 700.0, false);
        ExtractableResponse<Response> refused = ControlTesting.deliver(UUID.randomUUID().toString(), poisoned);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.body().asString()).contains("9999-12-31").contains("after control's clock");

        String cause = UUID.randomUUID().toString();
        Prediction real = ControlTesting.prediction(GH, z, windowEnd, 28.5, 70.0, 700.0, false);
        assertThat(ControlTesting.deliver(cause, real).statusCode()).isEqualTo(204);
        List<ConsumerRecord<String, io.cloudevents.CloudEvent>> commands = ControlTesting.commandsCausedBy(cause);
        assertThat(commands).as("the real prediction after the refused one is acted on").isNotEmpty();
    }

    record EventCase(String name, Map<String, String> headers, String contentType, byte[] body, int status, String detail) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<EventCase> eventCases() {
        Prediction p = ControlTesting.prediction(GH, "zone-hostile", ControlTesting.lastWindowEnd(), 21.0, null, null, false);
        byte[] valid = PayloadCodec.write(p);
        return Stream.of(
                new EventCase("empty body", binary("e-1", Map.of()), "application/json", new byte[0], 400, "empty"),
                new EventCase("JSON null", binary("e-2", Map.of()), "application/json", "null".getBytes(), 400, "prediction"),
                new EventCase("not JSON", binary("e-3", Map.of()), "application/json", "{no".getBytes(), 400, "JSON"),
                new EventCase("empty id", binary("", Map.of()), "application/json", valid, 400, "id"),
                new EventCase("id of 2,000 characters", binary("i".repeat(2_000), Map.of()), "application/json", valid, 400, "id"),
                new EventCase("structured: id of 20,000 characters", Map.of(), "application/cloudevents+json",
                        structured("\"" + "i".repeat(20_000) + "\"", "\"1.0\"", valid), 400, "id"),
                new EventCase("structured: no specversion", Map.of(), "application/cloudevents+json",
                        structured("\"e-7\"", null, valid), 400, "specversion"),
                new EventCase("structured: no data", Map.of(), "application/cloudevents+json",
                        structured("\"e-8\"", "\"1.0\"", null), 400, "no data"),
                new EventCase("time without seconds", binary("e-9", Map.of("ce-time", "2026-06-21T12:00Z")),
                        "application/json", valid, 400, "time"),
                new EventCase("extension name of 25 characters", binary("e-10", Map.of("ce-" + "x".repeat(25), "x")),
                        "application/json", valid, 400, "attribute name"),
                new EventCase("traceparent of garbage", binary("e-4", Map.of("ce-traceparent", "garbage")), "application/json",
                        valid, 400, "traceparent"),
                new EventCase("tracestate of 6,000 characters", binary("e-5", Map.of("ce-tracestate", "a=" + "b".repeat(6000))),
                        "application/json", valid, 400, "tracestate"),
                new EventCase("a value of 1e9999999999", binary("e-6", Map.of()), "application/json",
                        new String(valid, StandardCharsets.UTF_8).replace("21.0", "1e9999999999").getBytes(), 400, "value"));
    }

    private static byte[] structured(String id, String specversion, byte[] data) {
        return ("{" + (specversion == null ? "" : "\"specversion\":" + specversion + ",") + "\"id\":" + id
                + ",\"source\":\"/greenloop/infer\",\"type\":\"" + EventTypes.PREDICTION + "\""
                + (data == null ? "" : ",\"datacontenttype\":\"application/json\",\"data\":"
                + new String(data, StandardCharsets.UTF_8)) + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, String> binary(String id, Map<String, String> extra) {
        Map<String, String> headers = new java.util.LinkedHashMap<>(Map.of("ce-specversion", "1.0", "ce-id", id,
                "ce-source", "/greenloop/infer", "ce-type", EventTypes.PREDICTION, "ce-greenhouseid", GH,
                "ce-zoneid", "zone-hostile"));
        headers.putAll(extra);
        return headers;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("eventCases")
    void cloudEventsThatAreNotValidAreProblemsNotRetries(EventCase c) {
        var request = given().contentType(c.contentType()).body(c.body());
        c.headers().forEach(request::header);
        ExtractableResponse<Response> response = request.post("/").then().extract();

        assertThat(response.statusCode()).as(response.body().asString()).isEqualTo(c.status());
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.body().asString()).contains(c.detail());
    }

    /**
     * Requests that announce a body and never send it hold a connection each; they are answered
     * (408) or closed after the read timeout, and valid requests are answered meanwhile.
     */
    @Test
    void slowAndEmptyBodiedRequestsDoNotDelayValidOnes() throws Exception {
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                stalled.add(RawHttp.stalled(root, "/v1/commands/x/ack", 100));
            }
            for (int i = 0; i < 20; i++) {
                RawHttp.Answer empty = raw("POST", "/v1/commands/x/ack", "application/json", new byte[0], Map.of());
                assertThat(empty.status()).isEqualTo(400);
            }
            RawHttp.Answer valid = raw("GET", "/q/health/live", null, null, Map.of());
            assertThat(valid.status()).isEqualTo(200);
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }

    private RawHttp.Answer raw(String method, String path, String contentType, byte[] body, Map<String, String> headers)
            throws IOException {
        return RawHttp.send(root, method, path, contentType, body, headers);
    }

    static List<HttpLayerCases.Case> httpLayerCases() {
        return HttpLayerCases.cases("/v1/commands/x/ack");
    }

    /** What the HTTP layer answers itself comes at once, and the function serves the next request. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("httpLayerCases")
    void requestsTheHttpLayerRefusesAreAnsweredAtOnce(HttpLayerCases.Case c) throws IOException {
        HttpLayerCases.assertAnsweredAtOnce(root, c);
    }
}
