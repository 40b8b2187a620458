package dev.greenloop.events;

import dev.greenloop.events.EventException.Kind;
import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.ActuatorState;
import dev.greenloop.events.payload.CommandMode;
import dev.greenloop.events.payload.ControlCommand;
import dev.greenloop.events.payload.DatasetFile;
import dev.greenloop.events.payload.DatasetReady;
import dev.greenloop.events.payload.DriftDetected;
import dev.greenloop.events.payload.EventPayload;
import dev.greenloop.events.payload.FeatureWindow;
import dev.greenloop.events.payload.ModelPromoted;
import dev.greenloop.events.payload.Prediction;
import dev.greenloop.events.payload.Reading;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.events.payload.SensorKind;
import dev.greenloop.events.payload.TargetValue;
import dev.greenloop.events.payload.TrainingCompleted;
import dev.greenloop.events.payload.TrainingFailed;
import dev.greenloop.events.payload.TrainingReason;
import dev.greenloop.events.payload.TrainingRequested;
import dev.greenloop.events.payload.Units;
import dev.greenloop.events.signing.KeyRing;
import dev.greenloop.events.signing.SigningKey;
import io.cloudevents.CloudEvent;
import org.junit.jupiter.params.provider.Arguments;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Canonical events of the contract, valid and invalid, for every module's tests. Use the
 * {@code *Payloads()} streams with {@code @MethodSource("dev.greenloop.events.TestEvents#validPayloads")}.
 */
public final class TestEvents {

    public static final String GREENHOUSE = "gh-test";
    public static final String ZONE = "zone-a";
    public static final String DEVICE = "climate-1";
    public static final Instant T0 = Instant.parse("2026-06-21T12:00:00Z");
    public static final URI SOURCE = URI.create("/greenloop/test");
    public static final String KEY_ID = "gh-test-k1";
    /** 32 bytes, base64. Only for tests. */
    public static final String KEY_SECRET_BASE64 = "Z3JlZW5sb29wLXRlc3Qta2V5LTMyLWJ5dGVzLWxvbmc=";

    private TestEvents() {
    }

    public static ReadingsBatch readingsBatch() {
        return new ReadingsBatch(GREENHOUSE, ZONE, DEVICE,
                List.of(new Reading(SensorKind.AIR_TEMPERATURE, 24.5, Units.CELSIUS, T0),
                        new Reading(SensorKind.RELATIVE_HUMIDITY, 78.0, Units.PERCENT, T0),
                        new Reading(SensorKind.CO2, 612.0, Units.PPM, T0),
                        new Reading(SensorKind.PAR, 840.0, Units.PPFD, T0)),
                List.of(new ActuatorState(ActuatorKind.VENT, 35.0, Units.PERCENT, T0),
                        new ActuatorState(ActuatorKind.HEATING, 42.0, Units.CELSIUS, T0)));
    }

    public static FeatureWindow featureWindow() {
        return new FeatureWindow("win-" + ZONE + "-20260621T1159", GREENHOUSE, ZONE, T0.minusSeconds(60), T0, "v1",
                List.of("air_temperature_mean", "relative_humidity_mean", "co2_mean", "par_mean"),
                Arrays.asList(24.4, 77.8, null, 835.0),
                List.of("9d1c7a44-0000-4000-8000-000000000001"));
    }

    public static DatasetReady datasetReady() {
        return new DatasetReady("ds-" + GREENHOUSE + "-20260621", GREENHOUSE, "v1",
                T0.minusSeconds(86_400), T0, 1440,
                List.of(new DatasetFile("/greenloop/features/v1/greenhouse=gh-test/date=2026-06-20/part-0.parquet",
                        1440, 52_431, "a".repeat(64))));
    }

    public static TrainingRequested trainingRequested() {
        return new TrainingRequested(GREENHOUSE, TrainingReason.DATASET_READY, "ds-gh-test-20260621", null);
    }

    public static TrainingCompleted trainingCompleted() {
        return new TrainingCompleted(GREENHOUSE, "run-0001", "train-gh-test-0001", "greenloop-gh-test", "3",
                false, "candidate MAE 0.61 is not below champion MAE 0.58", Map.of("mae_air_temperature", 0.61));
    }

    public static TrainingFailed trainingFailed() {
        return new TrainingFailed(GREENHOUSE, "run-0002", "train-gh-test-0002",
                "trainer exited with code 2: dataset schema v0 does not match feature spec v1", false);
    }

    public static ModelPromoted modelPromoted() {
        return new ModelPromoted(GREENHOUSE, "greenloop-gh-test", "4", "3", "run-0003", "v1",
                Map.of("mae_air_temperature", 0.42, "mae_persistence_air_temperature", 0.93));
    }

    public static Prediction prediction() {
        return new Prediction(GREENHOUSE, ZONE, featureWindow().windowId(), T0, "greenloop-gh-test", "4", "v1",
                List.of(new TargetValue(SensorKind.AIR_TEMPERATURE, 15, 26.1),
                        new TargetValue(SensorKind.RELATIVE_HUMIDITY, 15, 74.0),
                        new TargetValue(SensorKind.CO2, 15, 590.0)),
                false);
    }

    /** A prediction whose model gives intervals for two targets of three. */
    public static Prediction predictionWithIntervals() {
        return new Prediction(GREENHOUSE, ZONE, featureWindow().windowId(), T0, "greenloop-gh-test", "5", "v1",
                List.of(new TargetValue(SensorKind.AIR_TEMPERATURE, 15, 26.1, 25.4, 26.9),
                        new TargetValue(SensorKind.RELATIVE_HUMIDITY, 15, 74.0, 74.0, 74.0),
                        new TargetValue(SensorKind.CO2, 15, 590.0)),
                false);
    }

    /** An unsigned command; sign it with a {@code CommandSigner} over {@link #keyRing()}. */
    public static ControlCommand controlCommand() {
        return new ControlCommand("cmd-0001", GREENHOUSE, ZONE, ActuatorKind.VENT, 45.0, Units.PERCENT,
                CommandMode.PREDICTIVE, "air temperature predicted 26.1 degC above day band 24 degC",
                "pred-0001", null);
    }

    public static DriftDetected driftDetected() {
        return new DriftDetected(GREENHOUSE, ZONE, "greenloop-gh-test", "4", "mae_air_temperature_15m",
                1.3, 1.0, T0.minusSeconds(6 * 3600), T0);
    }

    public static SigningKey signingKey() {
        return new SigningKey(KEY_ID, GREENHOUSE, java.util.Base64.getDecoder().decode(KEY_SECRET_BASE64));
    }

    public static KeyRing keyRing() {
        return KeyRing.of(signingKey());
    }

    /** The canonical event around {@code payload}, caused by nothing. */
    public static CloudEvent cloudEvent(EventPayload payload) {
        return Events.of(payload).id(Events.derivedId("test", payload.toString())).source(SOURCE).build();
    }

    /** One valid payload per event type (commands signed), as (type, payload). */
    public static Stream<Arguments> validPayloads() {
        ControlCommand signed = new dev.greenloop.events.signing.CommandSigner(keyRing(),
                java.time.Clock.systemUTC(), java.time.Duration.ofMinutes(2)).sign(controlCommand());
        return Stream.of(
                Arguments.of(EventType.SENSOR_READINGS, readingsBatch()),
                Arguments.of(EventType.FEATURES_WINDOW, featureWindow()),
                Arguments.of(EventType.DATASET_READY, datasetReady()),
                Arguments.of(EventType.TRAINING_REQUESTED, trainingRequested()),
                Arguments.of(EventType.TRAINING_COMPLETED, trainingCompleted()),
                Arguments.of(EventType.TRAINING_FAILED, trainingFailed()),
                Arguments.of(EventType.MODEL_PROMOTED, modelPromoted()),
                Arguments.of(EventType.PREDICTION, prediction()),
                Arguments.of(EventType.PREDICTION, predictionWithIntervals()),
                Arguments.of(EventType.CONTROL_COMMAND, signed),
                Arguments.of(EventType.DRIFT_DETECTED, driftDetected()));
    }

    /**
     * Invalid payloads as (description, type, json, expected kind, expected JSON pointer).
     * Schema errors are found before record rules, so each case has exactly one cause.
     */
    private static String predictionJson(String value) {
        return "{\"greenhouseId\":\"gh-test\",\"zoneId\":\"zone-a\",\"windowId\":\"w1\",\"windowEnd\":\"2026-06-21T12:00:00Z\","
                + "\"modelName\":\"m\",\"modelVersion\":\"1\",\"featureSpecVersion\":\"v1\",\"values\":[" + value + "],"
                + "\"shadow\":false}";
    }

    public static Stream<Arguments> invalidPayloads() {
        String reading = "{\"sensor\":\"air_temperature\",\"value\":21.5,\"unit\":\"degC\",\"timestamp\":\"2026-06-21T12:00:00Z\"}";
        String batchHead = "\"greenhouseId\":\"gh-test\",\"zoneId\":\"zone-a\",\"deviceId\":\"climate-1\"";
        return Stream.of(
                invalid("not JSON", EventType.SENSOR_READINGS, "{\"greenhouseId\":", Kind.MALFORMED_JSON, ""),
                invalid("NaN is not JSON", EventType.SENSOR_READINGS,
                        "{" + batchHead + ",\"readings\":[" + reading.replace("21.5", "NaN") + "]}",
                        Kind.MALFORMED_JSON, ""),
                invalid("duplicate key", EventType.SENSOR_READINGS,
                        "{" + batchHead + ",\"zoneId\":\"zone-b\",\"readings\":[" + reading + "]}",
                        Kind.MALFORMED_JSON, ""),
                invalid("missing device", EventType.SENSOR_READINGS,
                        "{\"greenhouseId\":\"gh-test\",\"zoneId\":\"zone-a\",\"readings\":[" + reading + "]}",
                        Kind.SCHEMA_VIOLATION, "/deviceId"),
                invalid("slash in zone id", EventType.SENSOR_READINGS,
                        "{" + batchHead.replace("zone-a", "zone/a") + ",\"readings\":[" + reading + "]}",
                        Kind.SCHEMA_VIOLATION, "/zoneId"),
                invalid("empty batch", EventType.SENSOR_READINGS,
                        "{" + batchHead + ",\"readings\":[]}", Kind.SCHEMA_VIOLATION, "/readings"),
                invalid("unknown sensor kind", EventType.SENSOR_READINGS,
                        "{" + batchHead + ",\"readings\":[" + reading.replace("air_temperature", "soil_ph") + "]}",
                        Kind.SCHEMA_VIOLATION, "/readings/0/sensor"),
                invalid("value as string", EventType.SENSOR_READINGS,
                        "{" + batchHead + ",\"readings\":[" + reading.replace("21.5", "\"21.5\"") + "]}",
                        Kind.SCHEMA_VIOLATION, "/readings/0/value"),
                invalid("huge number", EventType.SENSOR_READINGS,
                        "{" + batchHead + ",\"readings\":[" + reading.replace("21.5", "1e400") + "]}",
                        Kind.SCHEMA_VIOLATION, "/readings/0/value"),
                invalid("bad timestamp", EventType.SENSOR_READINGS,
                        "{" + batchHead + ",\"readings\":[" + reading.replace("2026-06-21T12:00:00Z", "yesterday") + "]}",
                        Kind.SCHEMA_VIOLATION, "/readings/0/timestamp"),
                invalid("unknown field", EventType.SENSOR_READINGS,
                        "{" + batchHead + ",\"readings\":[" + reading + "],\"firmware\":\"1.2\"}",
                        Kind.SCHEMA_VIOLATION, ""),
                invalid("feature values shorter than names", EventType.FEATURES_WINDOW,
                        "{\"windowId\":\"w1\",\"greenhouseId\":\"gh-test\",\"zoneId\":\"zone-a\","
                                + "\"windowStart\":\"2026-06-21T11:59:00Z\",\"windowEnd\":\"2026-06-21T12:00:00Z\","
                                + "\"featureSpecVersion\":\"v1\",\"featureNames\":[\"a\",\"b\"],\"values\":[1.0]}",
                        Kind.INVALID_FIELD, "/values"),
                invalid("window ends before it starts", EventType.FEATURES_WINDOW,
                        "{\"windowId\":\"w1\",\"greenhouseId\":\"gh-test\",\"zoneId\":\"zone-a\","
                                + "\"windowStart\":\"2026-06-21T12:00:00Z\",\"windowEnd\":\"2026-06-21T11:59:00Z\","
                                + "\"featureSpecVersion\":\"v1\",\"featureNames\":[\"a\"],\"values\":[1.0]}",
                        Kind.INVALID_FIELD, "/windowEnd"),
                invalid("dataset rows disagree with files", EventType.DATASET_READY,
                        "{\"datasetId\":\"ds1\",\"greenhouseId\":\"gh-test\",\"featureSpecVersion\":\"v1\","
                                + "\"from\":\"2026-06-20T00:00:00Z\",\"to\":\"2026-06-21T00:00:00Z\",\"rows\":5,"
                                + "\"files\":[{\"path\":\"/f/p.parquet\",\"rows\":4,\"bytes\":10,\"sha256\":\"" + "b".repeat(64) + "\"}]}",
                        Kind.INVALID_FIELD, "/rows"),
                invalid("dataset file with a short digest", EventType.DATASET_READY,
                        "{\"datasetId\":\"ds1\",\"greenhouseId\":\"gh-test\",\"featureSpecVersion\":\"v1\","
                                + "\"from\":\"2026-06-20T00:00:00Z\",\"to\":\"2026-06-21T00:00:00Z\",\"rows\":4,"
                                + "\"files\":[{\"path\":\"/f/p.parquet\",\"rows\":4,\"bytes\":10,\"sha256\":\"abc\"}]}",
                        Kind.SCHEMA_VIOLATION, "/files/0/sha256"),
                invalid("an interval without its upper bound", EventType.PREDICTION, predictionJson(
                        "{\"target\":\"air_temperature\",\"horizonMinutes\":15,\"value\":26.1,\"low\":25.0}"),
                        Kind.SCHEMA_VIOLATION, "/values/0"),
                invalid("an interval that does not hold its value", EventType.PREDICTION, predictionJson(
                        "{\"target\":\"air_temperature\",\"horizonMinutes\":15,\"value\":26.1,\"low\":26.5,\"high\":27.0}"),
                        Kind.INVALID_FIELD, "/values/0/low"),
                invalid("unknown training reason", EventType.TRAINING_REQUESTED,
                        "{\"greenhouseId\":\"gh-test\",\"reason\":\"boredom\"}", Kind.SCHEMA_VIOLATION, "/reason"),
                invalid("completed without reason", EventType.TRAINING_COMPLETED,
                        "{\"greenhouseId\":\"gh-test\",\"runId\":\"r1\",\"jobName\":\"j1\",\"modelName\":\"m\",\"promoted\":true}",
                        Kind.SCHEMA_VIOLATION, "/reason"),
                invalid("failed without retriable", EventType.TRAINING_FAILED,
                        "{\"greenhouseId\":\"gh-test\",\"runId\":\"r1\",\"jobName\":\"j1\",\"reason\":\"oom\"}",
                        Kind.SCHEMA_VIOLATION, "/retriable"),
                invalid("promoted metric as text", EventType.MODEL_PROMOTED,
                        "{\"greenhouseId\":\"gh-test\",\"modelName\":\"m\",\"modelVersion\":\"2\",\"runId\":\"r1\","
                                + "\"featureSpecVersion\":\"v1\",\"metrics\":{\"mae\":\"low\"}}",
                        Kind.SCHEMA_VIOLATION, "/metrics/mae"),
                invalid("prediction horizon zero", EventType.PREDICTION,
                        "{\"greenhouseId\":\"gh-test\",\"zoneId\":\"zone-a\",\"windowId\":\"w1\",\"windowEnd\":\"2026-06-21T12:00:00Z\","
                                + "\"modelName\":\"m\",\"modelVersion\":\"2\",\"featureSpecVersion\":\"v1\",\"shadow\":false,"
                                + "\"values\":[{\"target\":\"air_temperature\",\"horizonMinutes\":0,\"value\":25.0}]}",
                        Kind.SCHEMA_VIOLATION, "/values/0/horizonMinutes"),
                invalid("unsigned command", EventType.CONTROL_COMMAND,
                        "{\"commandId\":\"c1\",\"greenhouseId\":\"gh-test\",\"zoneId\":\"zone-a\",\"actuator\":\"vent\","
                                + "\"value\":40,\"unit\":\"%\",\"mode\":\"predictive\",\"reason\":\"hot\"}",
                        Kind.SCHEMA_VIOLATION, "/signature"),
                invalid("command unit does not fit actuator", EventType.CONTROL_COMMAND,
                        "{\"commandId\":\"c1\",\"greenhouseId\":\"gh-test\",\"zoneId\":\"zone-a\",\"actuator\":\"heating\","
                                + "\"value\":40,\"unit\":\"%\",\"mode\":\"predictive\",\"reason\":\"cold\","
                                + "\"signature\":{\"algorithm\":\"HMAC-SHA256\",\"keyId\":\"k1\",\"issuedAt\":\"2026-06-21T12:00:00.000Z\","
                                + "\"expiresAt\":\"2026-06-21T12:02:00.000Z\",\"nonce\":\"AAAAAAAAAAAAAAAAAAAAAA\","
                                + "\"value\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}}",
                        Kind.INVALID_FIELD, "/unit"),
                invalid("drift below its threshold", EventType.DRIFT_DETECTED,
                        "{\"greenhouseId\":\"gh-test\",\"modelName\":\"m\",\"modelVersion\":\"2\",\"metric\":\"mae\","
                                + "\"value\":0.5,\"threshold\":1.0,\"from\":\"2026-06-21T00:00:00Z\",\"to\":\"2026-06-21T06:00:00Z\"}",
                        Kind.INVALID_FIELD, "/value"));
    }

    private static Arguments invalid(String description, EventType type, String json, Kind kind, String pointer) {
        return Arguments.of(description, type, json.getBytes(StandardCharsets.UTF_8), kind, pointer);
    }
}
