package dev.greenloop.events.json;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.events.EventException;
import dev.greenloop.events.EventType;
import dev.greenloop.events.FieldError;
import dev.greenloop.events.TestEvents;
import dev.greenloop.events.payload.EventPayload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class PayloadCodecTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.greenloop.events.TestEvents#validPayloads")
    void validPayloadRoundTripsUnchanged(EventType type, EventPayload payload) {
        byte[] json = PayloadCodec.write(payload);

        assertThat(PayloadValidator.validate(type, PayloadCodec.parse(json))).isEmpty();
        EventPayload read = PayloadCodec.read(type, json);
        assertThat(read).isEqualTo(payload);
    }

    @Test
    void everyEventTypeHasAValidExample() {
        Set<EventType> covered = TestEvents.validPayloads()
                .map(args -> (EventType) args.get()[0])
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(EventType.class)));
        assertThat(covered).containsExactlyInAnyOrder(EventType.values());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.greenloop.events.TestEvents#invalidPayloads")
    void invalidPayloadIsRejectedWithItsPointer(String description, EventType type, byte[] json,
                                                 EventException.Kind kind, String pointer) {
        EventException e = catchThrowableOfType(EventException.class, () -> PayloadCodec.read(type, json));

        assertThat(e).as(description).isNotNull();
        assertThat(e.kind()).as(description + ": " + e.getMessage()).isEqualTo(kind);
        if (kind != EventException.Kind.MALFORMED_JSON) {
            assertThat(e.fieldErrors()).as(description).extracting(FieldError::pointer).contains(pointer);
        }
    }

    @Test
    void reportsEveryFieldErrorNotJustTheFirst() {
        String json = """
                {"greenhouseId":"gh-test","zoneId":"zone a","deviceId":"d1","readings":[
                  {"sensor":"air_temperature","value":"hot","unit":"degC","timestamp":"2026-06-21T12:00:00Z"},
                  {"sensor":"co2","value":400,"unit":"ppm"},
                  {"sensor":"radon","value":1,"unit":"Bq","timestamp":"2026-06-21T12:00:00Z"}]}
                """;

        EventException e = catchThrowableOfType(EventException.class,
                () -> PayloadCodec.read(EventType.SENSOR_READINGS, json.getBytes(StandardCharsets.UTF_8)));

        assertThat(e.fieldErrors()).extracting(FieldError::pointer)
                .contains("/zoneId", "/readings/0/value", "/readings/1/timestamp", "/readings/2/sensor");
        assertThat(e.getMessage()).contains("readings-batch.v1.schema.json").contains("/readings/1/timestamp");
        assertThat(e.fieldErrors()).filteredOn(f -> f.pointer().equals("/readings/0/value"))
                .singleElement().satisfies(f -> assertThat(f.isStructural()).isTrue());
        assertThat(e.fieldErrors()).filteredOn(f -> f.pointer().equals("/readings/2/sensor"))
                .singleElement().satisfies(f -> {
                    assertThat(f.rule()).isEqualTo("enum");
                    assertThat(f.isStructural()).isFalse();
                });
    }

    @Test
    void recordRuleErrorsPointIntoNestedElements() {
        // 1e9 is inside the schema's range, but the reading's unit check is a record rule.
        String json = """
                {"greenhouseId":"gh-test","zoneId":"zone-a","deviceId":"d1","readings":[
                  {"sensor":"air_temperature","value":20,"unit":"degC","timestamp":"2026-06-21T12:00:00Z"},
                  {"sensor":"air_temperature","value":20,"unit":"   ","timestamp":"2026-06-21T12:00:00Z"}]}
                """;

        EventException e = catchThrowableOfType(EventException.class,
                () -> PayloadCodec.read(EventType.SENSOR_READINGS, json.getBytes(StandardCharsets.UTF_8)));

        assertThat(e.kind()).isEqualTo(EventException.Kind.INVALID_FIELD);
        assertThat(e.fieldErrors()).extracting(FieldError::pointer).containsExactly("/readings/1/unit");
    }

    @Test
    void nullableOptionalFieldsAreAcceptedAsNull() {
        String json = """
                {"greenhouseId":"gh-test","reason":"manual","datasetId":null,"note":null}
                """;

        assertThat(PayloadCodec.<dev.greenloop.events.payload.TrainingRequested>read(EventType.TRAINING_REQUESTED,
                json.getBytes(StandardCharsets.UTF_8)).datasetId()).isNull();
    }

    @Test
    void missingFeatureValuesTravelAsNull() {
        byte[] json = PayloadCodec.write(TestEvents.featureWindow());

        JsonNode tree = PayloadCodec.parse(json);
        assertThat(tree.get("values").get(2).isNull()).isTrue();
    }

    @Test
    void emptyBodyIsMalformed() {
        assertThatThrownBy(() -> PayloadCodec.read(EventType.PREDICTION, new byte[0]))
                .isInstanceOf(EventException.class)
                .extracting(t -> ((EventException) t).kind())
                .isEqualTo(EventException.Kind.MALFORMED_JSON);
    }

    @Test
    void schemaEnumsMatchTheJavaEnums() {
        JsonNode common = readSchema("common.v1.schema.json").get("$defs");
        assertThat(texts(common.get("sensorKind").get("enum"))).containsExactlyElementsOf(
                Arrays.stream(dev.greenloop.events.payload.SensorKind.values())
                        .map(dev.greenloop.events.payload.SensorKind::wireName).toList());
        assertThat(texts(common.get("actuatorKind").get("enum"))).containsExactlyElementsOf(
                Arrays.stream(dev.greenloop.events.payload.ActuatorKind.values())
                        .map(dev.greenloop.events.payload.ActuatorKind::wireName).toList());
        assertThat(texts(readSchema("training-requested.v1.schema.json").at("/properties/reason/enum")))
                .containsExactlyElementsOf(Arrays.stream(dev.greenloop.events.payload.TrainingReason.values())
                        .map(dev.greenloop.events.payload.TrainingReason::wireName).toList());
    }

    @Test
    void everySchemaIdIsItsDataSchemaUri() {
        for (EventType type : EventType.values()) {
            JsonNode schema = readSchema(type.schemaFile());
            assertThat(schema.get("$id").asText()).isEqualTo(type.dataSchema().toString());
            assertThat(schema.get("title").asText()).isEqualTo(type.type());
        }
    }

    private static JsonNode readSchema(String file) {
        try (var in = PayloadCodecTest.class.getResourceAsStream("/schemas/" + file)) {
            assertThat(in).as(file).isNotNull();
            return EventJson.mapper().readTree(in);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void numbersBeyondADoubleAndMissingDataAreInvalidEventsNotCrashes() {
        String readings = new String(PayloadCodec.write(TestEvents.readingsBatch()), StandardCharsets.UTF_8);
        String huge = readings.replaceFirst("\"value\":[-0-9.eE]+", "\"value\":1e9999999999");
        assertThat(huge).contains("1e9999999999");

        EventException outOfRange = catchThrowableOfType(EventException.class,
                () -> PayloadCodec.read(EventType.SENSOR_READINGS, huge.getBytes(StandardCharsets.UTF_8)));
        assertThat(outOfRange.getMessage()).as(outOfRange.kind().toString()).contains("out of range");
        // A tree from elsewhere (Funqy binds the data before us) is checked again, with the field's pointer.
        com.fasterxml.jackson.databind.node.ObjectNode tree = (com.fasterxml.jackson.databind.node.ObjectNode)
                PayloadCodec.parse(readings.getBytes(StandardCharsets.UTF_8));
        ((com.fasterxml.jackson.databind.node.ObjectNode) tree.withArray("readings").get(0))
                .put("value", Double.POSITIVE_INFINITY);
        EventException infinite = catchThrowableOfType(EventException.class,
                () -> PayloadCodec.bind(EventType.SENSOR_READINGS, tree));
        assertThat(infinite.fieldErrors()).extracting(FieldError::pointer).containsExactly("/readings/0/value");

        assertThatThrownBy(() -> PayloadCodec.bind(EventType.PREDICTION, null))
                .isInstanceOfSatisfying(EventException.class,
                        e -> assertThat(e.kind()).isEqualTo(EventException.Kind.MALFORMED_JSON))
                .hasMessageContaining("no data");
    }
}
