package dev.greenloop.infer;

import io.quarkus.test.common.ResourceArg;
import dev.greenloop.testkit.oidc.SenderTokens;
import dev.greenloop.testkit.quarkus.OidcResource;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.greenloop.events.EventType;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.json.EventJson;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.FeatureWindow;
import dev.greenloop.events.payload.Prediction;
import dev.greenloop.events.payload.TargetValue;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.testkit.quarkus.MlflowResource;
import dev.greenloop.testkit.sink.CapturingSink;
import io.cloudevents.CloudEvent;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Predictions over HTTP and CloudEvents from a model registered in the test kit's MLflow server. */
@QuarkusTest
@WithTestResource(value = OidcResource.class, initArgs = @ResourceArg(name = "audience", value = "greenloop-infer"))
@WithTestResource(MlflowResource.class)
@WithTestResource(CapturingSink.class)
class ServingTest {

    private static final String GREENHOUSE = "gh-serve";
    private static final String MODEL = "greenloop-" + GREENHOUSE;
    private static String version;
    private static byte[] onnx;

    /** The greenhouse's champion, registered once for the class. */
    private static synchronized String champion() {
        if (version == null) {
            version = TestModels.register(MODEL, "champion", 0.5);
            onnx = TestModels.onnx(MODEL, version);
        }
        return version;
    }

    private static ExtractableResponse<Response> predict(Object body) {
        return given().contentType("application/json").body(body instanceof String s ? s : json(body))
                .post("/v1/predict").then().extract();
    }

    private static String json(Object o) {
        try {
            return EventJson.mapper().writeValueAsString(o);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode request(String greenhouse) {
        return EventJson.mapper().createObjectNode().put("greenhouseId", greenhouse).put("featureSpecVersion", "v1");
    }

    private static void assertSame(JsonNode predictions, Map<String, float[]> expected, int rows) {
        assertThat(predictions.size()).isEqualTo(rows);
        for (int r = 0; r < rows; r++) {
            for (Map.Entry<String, float[]> e : expected.entrySet()) {
                JsonNode value = predictions.get(r).get(e.getKey());
                float want = e.getValue()[r];
                if (Float.isNaN(want)) {
                    assertThat(value).as("row %d %s: present, and null", r, e.getKey()).isNotNull();
                    assertThat(value.isNull()).as("row %d %s", r, e.getKey()).isTrue();
                } else {
                    assertThat(value.asDouble()).as("row %d %s", r, e.getKey()).isEqualTo((double) want);
                }
            }
        }
    }

    @Test
    void httpAnswersEqualTheModelRunDirectly() throws Exception {
        String v = champion();
        List<List<Double>> one = Direct.vectors(1, 1);
        ObjectNode single = request(GREENHOUSE);
        single.set("features", EventJson.mapper().valueToTree(one.get(0)));
        ExtractableResponse<Response> answer = predict(single);
        assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(200);
        JsonNode body = EventJson.mapper().readTree(answer.asByteArray());
        assertThat(body.get("modelName").asText()).isEqualTo(MODEL);
        assertThat(body.get("modelVersion").asText()).isEqualTo(v);
        assertThat(body.get("horizonMinutes").asInt()).isEqualTo(15);
        assertSame(body.get("predictions"), Direct.run(onnx, one), 1);

        List<List<Double>> batch = Direct.vectors(64, 2);
        ObjectNode many = request(GREENHOUSE);
        many.set("batch", EventJson.mapper().valueToTree(batch));
        ExtractableResponse<Response> answers = predict(many);
        assertThat(answers.statusCode()).as(answers.asString()).isEqualTo(200);
        assertSame(EventJson.mapper().readTree(answers.asByteArray()).get("predictions"), Direct.run(onnx, batch), 64);
    }

    /**
     * A row with no feature at all says nothing: every target is present and null, although the
     * model (like a tree ensemble, it reads a missing feature as a value) answers a number.
     */
    @Test
    void aRowWithoutAnyFeatureIsAnsweredNullForEveryTarget() throws Exception {
        String greenhouse = "gh-empty";
        TestModels.register("greenloop-" + greenhouse, "champion", 0.5, "--missing-as-zero");
        List<Double> nothing = new ArrayList<>(Collections.nCopies(FeatureSpec.V1.size(), (Double) null));
        ObjectNode mixed = request(greenhouse);
        mixed.set("batch", EventJson.mapper().valueToTree(List.of(complete(3), nothing)));
        ExtractableResponse<Response> answer = predict(mixed);
        assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(200);
        JsonNode rows = EventJson.mapper().readTree(answer.asByteArray()).get("predictions");
        for (String target : List.of("air_temperature", "relative_humidity", "co2")) {
            assertThat(rows.get(0).get(target).asDouble()).as(target).isEqualTo(21.75);
            assertThat(rows.get(1).has(target)).as(target + " of the empty row is there").isTrue();
            assertThat(rows.get(1).get(target).isNull()).as(target + " of the empty row").isTrue();
        }
        // A single vector with no feature: the same.
        ObjectNode single = request(greenhouse);
        single.set("features", EventJson.mapper().valueToTree(nothing));
        JsonNode one = EventJson.mapper().readTree(predict(single).asByteArray()).get("predictions").get(0);
        assertThat(one.get("air_temperature").isNull()).isTrue();
    }

    private static FeatureWindow window(String greenhouse, List<Double> values) {
        Instant start = Instant.parse("2026-06-21T12:00:00Z");
        return new FeatureWindow("win-" + UUID.randomUUID(), greenhouse, "zone-1", start, start.plusSeconds(60), "v1",
                FeatureSpec.V1.names(), values, List.of("readings-1", "readings-2"));
    }

    /** A vector whose target features are all present, so every target is predicted. */
    private static List<Double> complete(long seed) {
        List<Double> values = new ArrayList<>(Direct.vectors(1, seed).get(0));
        for (String target : List.of("air_temperature", "relative_humidity", "co2")) {
            values.set(FeatureSpec.V1.names().indexOf(target + "_last"), 21.25);
        }
        return values;
    }

    private static void assertPrediction(Prediction p, FeatureWindow window, List<Double> values, String version)
            throws Exception {
        assertThat(p.windowId()).isEqualTo(window.windowId());
        assertThat(p.windowEnd()).isEqualTo(window.windowEnd());
        assertThat(p.modelVersion()).isEqualTo(version);
        assertThat(p.featureSpecVersion()).isEqualTo("v1");
        Map<String, float[]> direct = Direct.run(TestModels.onnx(p.modelName(), version), List.of(values));
        assertThat(p.values()).hasSize(3);
        for (TargetValue v : p.values()) {
            assertThat(v.horizonMinutes()).isEqualTo(15);
            assertThat(v.value()).isEqualTo((double) direct.get(v.target().wireName())[0]);
        }
    }

    @Test
    void aBinaryModeWindowIsAnsweredWithAPrediction() throws Exception {
        String v = champion();
        List<Double> values = complete(3);
        FeatureWindow window = window(GREENHOUSE, values);
        ExtractableResponse<Response> reply = given().header("ce-specversion", "1.0").header("ce-id", "window-event-1")
                .header("ce-source", "/greenloop/preprocess").header("ce-type", EventTypes.FEATURES_WINDOW)
                .header("ce-traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .contentType("application/json").body(PayloadCodec.write(window)).post("/").then().extract();

        assertThat(reply.statusCode()).as(reply.asString()).isEqualTo(200);
        assertThat(reply.header("ce-type")).isEqualTo(EventTypes.PREDICTION);
        assertThat(reply.header("ce-causationid")).isEqualTo("window-event-1");
        assertThat(reply.header("ce-greenhouseid")).isEqualTo(GREENHOUSE);
        assertThat(reply.header("ce-zoneid")).isEqualTo("zone-1");
        assertThat(reply.header("ce-traceparent")).contains("0af7651916cd43dd8448eb211c80319c");
        Prediction p = PayloadCodec.read(EventType.PREDICTION, reply.asByteArray());
        assertThat(p.shadow()).isFalse();
        assertPrediction(p, window, values, v);
    }

    /**
     * preprocess computes feature spec v2, which starts with v1's 149 features: a model trained on
     * v1 is served from the first 149 values of a v2 window, as from the v1 window itself.
     */
    @Test
    void aV1ModelScoresAV2WindowFromItsV1Features() throws Exception {
        String v = champion();
        List<Double> v1Values = complete(4);
        List<Double> v2Values = new ArrayList<>(v1Values);
        for (int i = v1Values.size(); i < FeatureSpec.V2.size(); i++) {
            v2Values.add(i % 7 == 0 ? null : 1000.0 + i);
        }
        Instant start = Instant.parse("2026-06-21T12:00:00Z");
        FeatureWindow window = new FeatureWindow("win-v2-" + UUID.randomUUID(), GREENHOUSE, "zone-1", start,
                start.plusSeconds(60), "v2", FeatureSpec.V2.names(), v2Values, List.of("readings-1"));
        ExtractableResponse<Response> reply = given().header("ce-specversion", "1.0").header("ce-id", "window-v2-1")
                .header("ce-source", "/greenloop/preprocess").header("ce-type", EventTypes.FEATURES_WINDOW)
                .contentType("application/json").body(PayloadCodec.write(window)).post("/").then().extract();

        assertThat(reply.statusCode()).as(reply.asString()).isEqualTo(200);
        assertPrediction(PayloadCodec.read(EventType.PREDICTION, reply.asByteArray()), window, v1Values, v);
    }

    /** A window is scored only for a sender with a valid OIDC token for infer's audience; the others get 401 and no prediction. */
    @Test
    void onlyASenderWithAValidTokenGetsAPrediction() throws Exception {
        champion();
        for (SenderTokens.Sender sender : SenderTokens.forAudience("greenloop-infer")) {
            var request = given().header("ce-specversion", "1.0").header("ce-id", UUID.randomUUID().toString())
                    .header("ce-source", "/greenloop/preprocess").header("ce-type", EventTypes.FEATURES_WINDOW)
                    .contentType("application/json").body(PayloadCodec.write(window(GREENHOUSE, complete(5))));
            request = sender.authorization() == null ? request.header(OidcResource.NO_TOKEN, "1")
                    : request.header("Authorization", sender.authorization());

            ExtractableResponse<Response> reply = request.post("/").then().extract();

            assertThat(reply.statusCode()).as(sender.name()).isEqualTo(sender.valid() ? 200 : 401);
            assertThat(reply.header("ce-type")).as(sender.name()).isEqualTo(sender.valid() ? EventTypes.PREDICTION : null);
        }
    }

    @Test
    void aStructuredModeWindowIsAnsweredWithAPrediction() throws Exception {
        String v = champion();
        List<Double> values = complete(4);
        FeatureWindow window = window(GREENHOUSE, values);
        ObjectNode event = EventJson.mapper().createObjectNode().put("specversion", "1.0").put("id", "window-event-2")
                .put("source", "/greenloop/preprocess").put("type", EventTypes.FEATURES_WINDOW)
                .put("datacontenttype", "application/json");
        event.set("data", EventJson.mapper().readTree(PayloadCodec.write(window)));
        ExtractableResponse<Response> reply = given().contentType("application/cloudevents+json")
                .body(event.toString()).post("/").then().extract();

        assertThat(reply.statusCode()).as(reply.asString()).isEqualTo(200);
        JsonNode answer = EventJson.mapper().readTree(reply.asByteArray());
        assertThat(answer.get("type").asText()).isEqualTo(EventTypes.PREDICTION);
        assertThat(answer.get("causationid").asText()).isEqualTo("window-event-2");
        Prediction p = PayloadCodec.bind(EventType.PREDICTION, answer.get("data"));
        assertPrediction(p, window, values, v);
    }

    /**
     * A model with prediction intervals (outputs {@code <target>_low} and {@code <target>_high}):
     * a window's prediction carries each target's bounds, the HTTP answer gives them per row
     * (null where the value is null), and {@code GET /v1/models} lists the targets that have them.
     */
    @Test
    void intervalsOfAModelThatGivesThemAreCarriedInPredictionsAndAnswers() throws Exception {
        String greenhouse = "gh-interval";
        String version = TestModels.register("greenloop-" + greenhouse, "champion", 0.5, "--interval", "0.75",
                "--targets", "air_temperature,co2");
        List<Double> values = complete(6);
        FeatureWindow window = window(greenhouse, values);
        ExtractableResponse<Response> reply = given().header("ce-specversion", "1.0").header("ce-id", "window-interval-1")
                .header("ce-source", "/greenloop/preprocess").header("ce-type", EventTypes.FEATURES_WINDOW)
                .contentType("application/json").body(PayloadCodec.write(window)).post("/").then().extract();
        assertThat(reply.statusCode()).as(reply.asString()).isEqualTo(200);
        Prediction p = PayloadCodec.read(EventType.PREDICTION, reply.asByteArray());
        assertThat(p.modelVersion()).isEqualTo(version);
        assertThat(p.values()).hasSize(2).allSatisfy(v -> {
            assertThat(v.value()).isEqualTo(21.75);
            assertThat(v.low()).isEqualTo(21.0);
            assertThat(v.high()).isEqualTo(22.5);
        });

        List<Double> nothing = new ArrayList<>(Collections.nCopies(FeatureSpec.V1.size(), (Double) null));
        ObjectNode batch = request(greenhouse);
        batch.set("batch", EventJson.mapper().valueToTree(List.of(values, nothing)));
        ExtractableResponse<Response> answer = predict(batch);
        assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(200);
        JsonNode intervals = EventJson.mapper().readTree(answer.asByteArray()).get("intervals");
        assertThat(intervals.get(0).get("co2").get("low").asDouble()).isEqualTo(21.0);
        assertThat(intervals.get(0).get("co2").get("high").asDouble()).isEqualTo(22.5);
        assertThat(intervals.get(1).get("co2").isNull()).as("the empty row's interval").isTrue();

        JsonNode models = EventJson.mapper().readTree(given().get("/v1/models").then().statusCode(200).extract().asByteArray());
        boolean listed = false;
        for (JsonNode m : models) {
            if (m.get("modelName").asText().equals("greenloop-" + greenhouse)) {
                assertThat(m.get("intervals").toString()).isEqualTo("[\"air_temperature\",\"co2\"]");
                listed = true;
            }
        }
        assertThat(listed).isTrue();
        // A model without intervals: no "intervals" in its answers.
        champion();
        ObjectNode plain = request(GREENHOUSE);
        plain.set("features", EventJson.mapper().valueToTree(values));
        assertThat(EventJson.mapper().readTree(predict(plain).asByteArray()).has("intervals")).isFalse();
    }

    @Test
    void aChallengerScoresTheSameWindowAsAShadowPrediction() throws Exception {
        String greenhouse = "gh-shadow";
        String model = "greenloop-" + greenhouse;
        String champion = TestModels.register(model, "champion", 1.0);
        String challenger = TestModels.register(model, "challenger", 4.0);
        List<Double> values = complete(5);
        FeatureWindow window = window(greenhouse, values);

        ExtractableResponse<Response> reply = given().header("ce-specversion", "1.0").header("ce-id", "window-event-3")
                .header("ce-source", "/greenloop/preprocess").header("ce-type", EventTypes.FEATURES_WINDOW)
                .contentType("application/json").body(PayloadCodec.write(window)).post("/").then().extract();
        assertThat(reply.statusCode()).as(reply.asString()).isEqualTo(200);
        Prediction live = PayloadCodec.read(EventType.PREDICTION, reply.asByteArray());
        assertThat(live.shadow()).isFalse();
        assertThat(live.modelVersion()).isEqualTo(champion);

        CloudEvent shadowEvent = awaitShadow(window.windowId(), Duration.ofSeconds(30));
        Prediction shadow = PayloadCodec.read(EventType.PREDICTION, shadowEvent.getData().toBytes());
        assertThat(shadow.shadow()).isTrue();
        assertThat(shadow.modelVersion()).isEqualTo(challenger);
        assertThat(shadowEvent.getExtension("causationid")).isEqualTo("window-event-3");
        assertThat(shadowEvent.getId()).isNotEqualTo(reply.header("ce-id"));
        double liveAir = live.values().stream().filter(t -> t.target().wireName().equals("air_temperature")).findFirst()
                .orElseThrow().value();
        double shadowAir = shadow.values().stream().filter(t -> t.target().wireName().equals("air_temperature")).findFirst()
                .orElseThrow().value();
        assertThat(shadowAir - liveAir).isCloseTo(3.0, within(1e-4));
    }

    private static CloudEvent awaitShadow(String windowId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (CloudEvent e : CapturingSink.received()) {
                if (EventTypes.PREDICTION.equals(e.getType()) && windowId.equals(e.getSubject())) {
                    return e;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no shadow prediction for " + windowId + " within " + timeout);
    }

    private static void assertProblem(ExtractableResponse<Response> r, int status, String pointer, String detail) {
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.jsonPath().getString("detail")).contains(detail);
        if (pointer != null) {
            assertThat(r.jsonPath().getList("errors.pointer", String.class)).contains(pointer);
        }
    }

    @Test
    void badRequestsAreProblemsThatSayWhatIsWrong() {
        champion();
        List<Double> good = Direct.vectors(1, 6).get(0);

        ObjectNode shortVector = request(GREENHOUSE);
        shortVector.set("features", EventJson.mapper().valueToTree(good.subList(0, 148)));
        assertProblem(predict(shortVector), 422, "/features", "has 148 values; feature spec v1 has 149");

        ObjectNode nan = request(GREENHOUSE);
        List<Object> withNan = new ArrayList<>(good);
        withNan.set(3, "NaN");
        nan.set("features", EventJson.mapper().valueToTree(withNan));
        assertProblem(predict(nan), 422, "/features/3", "finite number");

        String literalNan = request(GREENHOUSE).toString().replace("}", ",\"features\":[NaN]}");
        assertProblem(predict(literalNan), 400, null, "not JSON");

        String huge = request(GREENHOUSE).toString().replace("}", ",\"features\":" + good.toString()
                .replaceFirst("[-0-9.]+", "1e400") + "}");
        assertProblem(predict(huge), 422, "/features/0", "finite number");

        ObjectNode otherSpec = request(GREENHOUSE).put("featureSpecVersion", "v2");
        otherSpec.set("features", EventJson.mapper().valueToTree(good));
        assertProblem(predict(otherSpec), 422, "/featureSpecVersion", "takes feature spec v1, not v2");

        ObjectNode empty = request(GREENHOUSE);
        empty.putArray("batch");
        assertProblem(predict(empty), 422, "/batch", "at least one vector");

        ObjectNode tooMany = request(GREENHOUSE);
        tooMany.set("batch", EventJson.mapper().valueToTree(Collections.nCopies(1025, good)));
        assertProblem(predict(tooMany), 413, null, "at most 1024");

        ObjectNode both = request(GREENHOUSE);
        both.set("features", EventJson.mapper().valueToTree(good));
        both.set("batch", EventJson.mapper().valueToTree(List.of(good)));
        assertProblem(predict(both), 422, "", "either 'features'");

        ObjectNode noGreenhouse = EventJson.mapper().createObjectNode().put("featureSpecVersion", "v1");
        noGreenhouse.set("features", EventJson.mapper().valueToTree(good));
        assertProblem(predict(noGreenhouse), 422, "/greenhouseId", "is required");

        assertProblem(predict("{\"greenhouseId\": "), 400, null, "not JSON");

        ObjectNode unknown = request("gh-without-model");
        unknown.set("features", EventJson.mapper().valueToTree(good));
        ExtractableResponse<Response> noModel = predict(unknown);
        assertProblem(noModel, 503, null, "no champion model for greenhouse gh-without-model");
        assertThat(noModel.header("Retry-After")).isNotBlank();
    }

    @Test
    void badEventsAreRefusedAndWindowsWithoutAModelGetNoReply() {
        champion();
        FeatureWindow other = new FeatureWindow("win-other", GREENHOUSE, "zone-1", Instant.parse("2026-06-21T12:00:00Z"),
                Instant.parse("2026-06-21T12:01:00Z"), "v9", FeatureSpec.V1.names(), complete(7), List.of());
        ExtractableResponse<Response> wrongSpec = given().header("ce-specversion", "1.0").header("ce-id", "bad-1")
                .header("ce-source", "/test").header("ce-type", EventTypes.FEATURES_WINDOW).contentType("application/json")
                .body(PayloadCodec.write(other)).post("/").then().extract();
        assertProblem(wrongSpec, 422, null, "has feature spec v9");

        String broken = new String(PayloadCodec.write(window(GREENHOUSE, complete(8))), StandardCharsets.UTF_8)
                .replace("\"values\":[", "\"values\":[1.0,");
        ExtractableResponse<Response> invalid = given().header("ce-specversion", "1.0").header("ce-id", "bad-2")
                .header("ce-source", "/test").header("ce-type", EventTypes.FEATURES_WINDOW).contentType("application/json")
                .body(broken).post("/").then().extract();
        assertProblem(invalid, 400, null, "values");

        ExtractableResponse<Response> noModel = given().header("ce-specversion", "1.0").header("ce-id", "bad-3")
                .header("ce-source", "/test").header("ce-type", EventTypes.FEATURES_WINDOW).contentType("application/json")
                .body(PayloadCodec.write(window("gh-nobody", complete(9)))).post("/").then().extract();
        // Not retried and not dead-lettered: no reply, counted.
        assertThat(noModel.statusCode()).isEqualTo(204);
        assertThat(noModel.header("ce-type")).isNull();
        given().get(dev.greenloop.testkit.quarkus.Metrics.URL).then().body(org.hamcrest.Matchers.containsString(
                "greenloop_infer_unscored_total{function=\"infer\",reason=\"no-model\"}"));
    }

    @Test
    void modelsMetricsAndTheApiAreDescribed() {
        String v = champion();
        given().get("/v1/predict");
        predict(request(GREENHOUSE).set("features", EventJson.mapper().valueToTree(Direct.vectors(1, 9).get(0))));
        List<Map<String, Object>> models = given().get("/v1/models").then().statusCode(200).extract().jsonPath().getList("$");
        assertThat(models).anySatisfy(m -> {
            assertThat(m).containsEntry("modelName", MODEL).containsEntry("modelVersion", v).containsEntry("alias", "champion");
            assertThat((List<?>) m.get("featureNames")).hasSize(149);
        });
        String metrics = given().get(dev.greenloop.testkit.quarkus.Metrics.URL).asString();
        assertThat(metrics).contains("greenloop_infer_latency_seconds_bucket{function=\"infer\",path=\"http\"");
        assertThat(metrics).containsPattern("greenloop_infer_model_version\\{alias=\"champion\",function=\"infer\",model=\"" + MODEL
                + "\"\\} " + v + "\\.0");
        // When the registry created the champion: a Unix time in seconds (after 2020).
        assertThat(metrics).containsPattern("greenloop_infer_model_created_seconds\\{alias=\"champion\",function=\"infer\",model=\""
                + MODEL + "\"\\} 1\\.[6-9][0-9]*E9");
        assertThat(metrics).containsPattern("greenloop_infer_predictions_total\\{function=\"infer\",model=\"" + MODEL + "\",shadow=\"false\",version=\""
                + v + "\"\\} [1-9]");
        String openapi = given().get("/q/openapi").asString();
        assertThat(openapi).contains("/v1/predict").contains("featureSpecVersion");
    }
}
