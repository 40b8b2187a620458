package dev.greenloop.infer;

import dev.greenloop.events.EventTypes;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.FeatureWindow;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.testkit.http.HttpLayerCases;
import dev.greenloop.testkit.http.RawHttp;
import dev.greenloop.testkit.http.RawHttp.Case;
import dev.greenloop.testkit.quarkus.MlflowResource;
import dev.greenloop.testkit.quarkus.OidcResource;
import dev.greenloop.testkit.sink.CapturingSink;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile input to infer's HTTP API and CloudEvents endpoint: each case is answered at once
 * with a 4xx problem, none with a prediction.
 */
@QuarkusTest
@WithTestResource(value = OidcResource.class, initArgs = @ResourceArg(name = "audience", value = "greenloop-infer"))
@WithTestResource(MlflowResource.class)
@WithTestResource(CapturingSink.class)
class HostileInputTest {

    @TestHTTPResource("/")
    URL root;

    static Stream<Case> predictCases() {
        String vector = "[" + String.join(",", Collections.nCopies(FeatureSpec.V1.size(), "0.5")) + "]";
        String valid = "{\"greenhouseId\":\"gh-hostile\",\"featureSpecVersion\":\"v1\",\"features\":" + vector + "}";
        return Stream.of(
                new Case("empty body", "application/json", "", 400, "the body is empty"),
                new Case("JSON null", "application/json", "null", 400, "JSON null"),
                new Case("array body", "application/json", "[]", 400, "expected shape"),
                new Case("trailing garbage", "application/json", valid + " trailing", 400, "not JSON"),
                new Case("greenhouseId as a number", "application/json",
                        valid.replace("\"gh-hostile\"", "7"), 400, "greenhouseId"),
                new Case("a value as text", "application/json", valid.replace("[0.5,", "[\"0.5\","), 400, "features"),
                new Case("unknown field", "application/json", valid.replace("{", "{\"model\":\"x\","), 400, "model"),
                new Case("duplicate key", "application/json", valid.replace("{", "{\"greenhouseId\":\"gh-a\","), 400,
                        "Duplicate"),
                new Case("deep nesting", "application/json", "{\"batch\":" + "[".repeat(5000) + "]".repeat(5000) + "}", 400,
                        "expected shape at /batch/0/0"),
                new Case("no content type", null, valid, 415, "application/json"),
                new Case("content type with empty parameters", "application/json;;;", valid, 415, "application/json"),
                new Case("two content types", "application/json", Map.of("Content-Type", "application/json"), valid, 400,
                        "given 2 times"),
                new Case("gzip that is not", "application/json", Map.of("Content-Encoding", "gzip"), valid, 415,
                        "uncompressed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("predictCases")
    void predictRequestsThatAreNotValidAreProblems(Case c) throws IOException {
        RawHttp.assertProblem(root, "/v1/predict", c);
    }

    private static FeatureWindow window(Instant end) {
        return new FeatureWindow("win-" + UUID.randomUUID(), "gh-hostile", "zone-1", end.minusSeconds(60), end, "v1",
                FeatureSpec.V1.names(), Collections.nCopies(FeatureSpec.V1.size(), 0.5), List.of("readings-1"));
    }

    private static ExtractableResponse<Response> deliver(String id, String contentType, byte[] body, Map<String, String> extra) {
        var request = given().header("ce-specversion", "1.0").header("ce-id", id).header("ce-source", "/greenloop/preprocess")
                .header("ce-type", EventTypes.FEATURES_WINDOW).contentType(contentType).body(body);
        extra.forEach(request::header);
        return request.post("/").then().extract();
    }

    @Test
    void windowsFromTheFutureAndBrokenEventsAreRefusedNotRetried() {
        byte[] future = PayloadCodec.write(window(Instant.parse("9999-12-31T23:59:00Z")));
        byte[] valid = PayloadCodec.write(window(Instant.now().truncatedTo(ChronoUnit.MINUTES)));
        List<ExtractableResponse<Response>> refused = new ArrayList<>();
        refused.add(deliver("w-1", "application/json", future, Map.of()));
        refused.add(deliver("w-2", "application/json", new byte[0], Map.of()));
        refused.add(deliver("", "application/json", valid, Map.of()));
        refused.add(deliver("w-3", "application/json", valid, Map.of("ce-traceparent", "garbage")));
        refused.add(deliver("w-4", "application/json", valid, Map.of("ce-tracestate", "a=" + "b".repeat(6000))));
        refused.add(given().contentType("application/cloudevents+json").body("{\"id\":\"w-5\",\"source\":\"/x\",\"type\":\""
                + EventTypes.FEATURES_WINDOW + "\",\"data\":" + new String(valid, StandardCharsets.UTF_8) + "}")
                .post("/").then().extract());

        assertThat(refused).extracting(ExtractableResponse::statusCode).containsOnly(400);
        assertThat(refused).allSatisfy(r -> assertThat(r.contentType()).startsWith("application/problem+json"));
        assertThat(refused.get(0).body().asString()).contains("9999-12-31").contains("after infer's clock");
        assertThat(refused.get(5).body().asString()).contains("specversion");
    }

    static List<HttpLayerCases.Case> httpLayerCases() {
        return HttpLayerCases.cases("/v1/predict");
    }

    /** What the HTTP layer answers itself comes at once, and the function serves the next request. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("httpLayerCases")
    void requestsTheHttpLayerRefusesAreAnsweredAtOnce(HttpLayerCases.Case c) throws IOException {
        HttpLayerCases.assertAnsweredAtOnce(root, c);
    }

    /** Connections waiting for bodies that never come do not keep valid requests waiting. */
    @Test
    void slowAndEmptyBodiedRequestsDoNotDelayValidOnes() throws Exception {
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                stalled.add(RawHttp.stalled(root, "/v1/predict", 100));
            }
            for (int i = 0; i < 20; i++) {
                assertThat(RawHttp.send(root, "POST", "/v1/predict", "application/json", new byte[0], Map.of()).status())
                        .isEqualTo(400);
            }
            assertThat(RawHttp.send(root, "GET", "/q/health/live", null, null, Map.of()).status()).isEqualTo(200);
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }
}
