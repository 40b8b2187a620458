package dev.greenloop.monitor;

import dev.greenloop.events.EventTypes;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.FeatureWindow;
import dev.greenloop.events.payload.Prediction;
import dev.greenloop.events.payload.SensorKind;
import dev.greenloop.events.payload.TargetValue;
import dev.greenloop.features.FeatureSpec;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;

/** Events as preprocess and infer send them, and the read API, for monitor's tests. */
final class MonitorTesting {

    private MonitorTesting() {
    }

    /** A window of {@code zone} ending at {@code end} whose air temperature had this last value and mean. */
    static FeatureWindow window(String greenhouse, String zone, Instant end, double last, double mean) {
        List<String> names = FeatureSpec.CURRENT.names();
        List<Double> values = new ArrayList<>(Collections.nCopies(names.size(), (Double) null));
        values.set(names.indexOf("air_temperature_last"), last);
        values.set(names.indexOf("air_temperature_mean"), mean);
        values.set(names.indexOf("air_temperature_missing"), 0.0);
        return new FeatureWindow("win-" + zone + "-" + end.toEpochMilli() + "-" + greenhouse, greenhouse, zone,
                end.minusSeconds(60), end, FeatureSpec.CURRENT.version(), names, values, List.of("readings-" + UUID.randomUUID()));
    }

    static Prediction prediction(FeatureWindow from, String version, boolean shadow, double predicted) {
        return new Prediction(from.greenhouseId(), from.zoneId(), from.windowId(), from.windowEnd(), "greenloop-" + from.greenhouseId(),
                version, "v1", List.of(new TargetValue(SensorKind.AIR_TEMPERATURE, 15, predicted)), shadow);
    }

    /** A champion's air-temperature prediction with its interval. */
    static Prediction prediction(FeatureWindow from, String version, double predicted, double low, double high) {
        return new Prediction(from.greenhouseId(), from.zoneId(), from.windowId(), from.windowEnd(), "greenloop-" + from.greenhouseId(),
                version, "v1", List.of(new TargetValue(SensorKind.AIR_TEMPERATURE, 15, predicted, low, high)), false);
    }

    static ExtractableResponse<Response> send(String type, byte[] data) {
        return given().header("ce-specversion", "1.0").header("ce-id", UUID.randomUUID().toString())
                .header("ce-source", "/test").header("ce-type", type).contentType("application/json").body(data)
                .post("/").then().extract();
    }

    static ExtractableResponse<Response> send(FeatureWindow w) {
        return send(EventTypes.FEATURES_WINDOW, PayloadCodec.write(w));
    }

    static ExtractableResponse<Response> send(Prediction p) {
        return send(EventTypes.PREDICTION, PayloadCodec.write(p));
    }

    /** The hourly check of {@code greenhouse} at {@code time}. */
    static ExtractableResponse<Response> check(String greenhouse, Instant time) {
        return given().header("ce-specversion", "1.0").header("ce-id", UUID.randomUUID().toString())
                .header("ce-source", "/apis/v1/namespaces/greenloop/pingsources/monitor-check")
                .header("ce-type", MonitorFunctions.PING).header("ce-time", time.toString())
                .contentType("application/json").body("{\"greenhouseId\":\"" + greenhouse + "\"}").post("/").then().extract();
    }

    static ExtractableResponse<Response> accuracy(String greenhouse, Map<String, String> query) {
        return given().header("Authorization", "Bearer " + MonitorTestProfile.OPERATOR_TOKEN).queryParams(query)
                .get("/v1/greenhouses/" + greenhouse + "/accuracy").then().extract();
    }
}
