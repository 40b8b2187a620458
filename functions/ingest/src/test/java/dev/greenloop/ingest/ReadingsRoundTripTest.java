package dev.greenloop.ingest;

import dev.greenloop.events.Events;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.ActuatorState;
import dev.greenloop.events.payload.Reading;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.events.payload.SensorKind;
import dev.greenloop.testkit.quarkus.KafkaResource;
import dev.greenloop.testkit.quarkus.MongoResource;
import io.cloudevents.CloudEvent;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.greenloop.ingest.IngestTesting.*;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** What goes in comes out: every record, key, header and value on the real topic. */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(MongoResource.class)
class ReadingsRoundTripTest {

    @Test
    void acceptedBatchIsOnTheTopicKeyedByZoneInBinaryModeWithCanonicalUnits() {
        String t1 = recent(2);
        String t2 = recent(1);
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        String body = "{\"zoneId\":\"zone-a\",\"deviceId\":\"climate-1\",\"readings\":["
                + reading("air_temperature", 75.2, "degF", t1) + ","
                + reading("relative_humidity", 81.5, "%", t1) + ","
                + reading("co2", 640, "ppm", t2) + ","
                + reading("wind_speed", 18, "km/h", t2) + "],"
                + "\"actuators\":[{\"actuator\":\"vent\",\"value\":30,\"unit\":\"%\",\"timestamp\":\"" + t2 + "\"}]}";

        ExtractableResponse<Response> response = given().contentType(ContentType.JSON)
                .header("Authorization", "Bearer " + TOKEN).header("traceparent", traceparent)
                .body(body).post("/v1/greenhouses/gh-test/readings")
                .then().statusCode(202).contentType(ContentType.JSON).extract();

        assertThat(response.jsonPath().getInt("received")).isEqualTo(5);
        assertThat(response.jsonPath().getInt("accepted")).isEqualTo(5);
        List<String> ids = response.jsonPath().getList("eventIds", String.class);
        assertThat(ids).hasSize(1);

        ConsumerRecord<String, CloudEvent> record = records("greenhouse.readings", ids).get(0);
        assertThat(record.key()).isEqualTo("gh-test/zone-a");
        Map<String, String> headers = new HashMap<>();
        for (Header h : record.headers()) {
            headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
        }
        assertThat(headers).containsEntry("ce_specversion", "1.0")
                .containsEntry("ce_type", EventTypes.SENSOR_READINGS)
                .containsEntry("ce_source", "/greenloop/ingest")
                .containsEntry("ce_subject", "climate-1")
                .containsEntry("ce_id", ids.get(0))
                .containsEntry("ce_greenhouseid", "gh-test")
                .containsEntry("ce_zoneid", "zone-a")
                .containsEntry("ce_traceparent", traceparent)
                .containsEntry("ce_dataschema", "https://greenloop.dev/schemas/readings-batch.v1.schema.json")
                .containsEntry("content-type", "application/json");

        ReadingsBatch stored = Events.payload(record.value(), ReadingsBatch.class);
        assertThat(stored.greenhouseId()).isEqualTo("gh-test");
        assertThat(stored.deviceId()).isEqualTo("climate-1");
        assertThat(stored.readings()).extracting(Reading::sensor).containsExactly(SensorKind.AIR_TEMPERATURE,
                SensorKind.RELATIVE_HUMIDITY, SensorKind.CO2, SensorKind.WIND_SPEED);
        assertThat(stored.readings().get(0).value()).isCloseTo(24.0, within(1e-9));
        assertThat(stored.readings().get(0).unit()).isEqualTo("degC");
        assertThat(stored.readings().get(0).timestamp()).isEqualTo(Instant.parse(t1));
        assertThat(stored.readings().get(3).value()).isCloseTo(5.0, within(1e-9));
        assertThat(stored.readings().get(3).unit()).isEqualTo("m/s");
        assertThat(stored.actuators()).containsExactly(new ActuatorState(ActuatorKind.VENT, 30, "%", Instant.parse(t2)));
    }

    @Test
    void largeBatchIsSplitIntoRecordsThatTogetherHoldEveryReadingInOrder() {
        List<String> readings = new ArrayList<>();
        Instant start = Instant.now().minusSeconds(3 * 3600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        for (int i = 0; i < 1200; i++) {
            readings.add(reading("par", 400 + (i % 50), "umol/m2/s", start.plusSeconds(i * 5L).toString()));
        }

        List<String> ids = given().contentType(ContentType.JSON).header("Authorization", "Bearer " + TOKEN)
                .body(batch(readings.toArray(String[]::new))).post("/v1/greenhouses/gh-test/readings")
                .then().statusCode(202).extract().jsonPath().getList("eventIds", String.class);

        assertThat(ids).hasSize(3);
        List<Reading> stored = new ArrayList<>();
        Map<String, ConsumerRecord<String, CloudEvent>> byId = new HashMap<>();
        records("greenhouse.readings", ids).forEach(r -> byId.put(r.value().getId(), r));
        for (String id : ids) {
            ConsumerRecord<String, CloudEvent> record = byId.get(id);
            assertThat(record.key()).isEqualTo("gh-test/zone-a");
            stored.addAll(Events.payload(record.value(), ReadingsBatch.class).readings());
        }
        assertThat(stored).hasSize(1200);
        assertThat(stored).extracting(Reading::timestamp).isSorted();
        assertThat(stored.get(1199).value()).isEqualTo(400 + (1199 % 50));
    }

    /**
     * One hour of a climate computer (nine sensors and six actuators a minute, 900 items), sensors
     * listed before actuators and a few items out of order: the records are cut by time, so each
     * starts where the one before ended and none is all readings or all actuator states (a record
     * of early actuator states after late readings would be late in preprocess).
     */
    @Test
    void largeMixedBatchIsSplitByTimeNeverByKind() {
        Instant start = Instant.now().minusSeconds(2 * 3600).truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
        List<String> readings = new ArrayList<>();
        List<String> actuators = new ArrayList<>();
        String[][] sensors = {{"air_temperature", "degC"}, {"relative_humidity", "%"}, {"co2", "ppm"}, {"par", "umol/m2/s"},
                {"outside_temperature", "degC"}, {"outside_humidity", "%"}, {"global_radiation", "W/m2"},
                {"wind_speed", "m/s"}, {"pipe_temperature", "degC"}};
        for (int m = 0; m < 60; m++) {
            String t = start.plusSeconds(60L * m).toString();
            for (String[] sensor : sensors) {
                readings.add(reading(sensor[0], sensor[0].equals("co2") ? 600 + m : 20 + (m % 5) * 0.5, sensor[1], t));
            }
            actuators.add("{\"actuator\":\"heating\",\"value\":" + (40 + m % 3) + ",\"unit\":\"degC\",\"timestamp\":\"" + t + "\"}");
            for (String actuator : List.of("vent", "screen", "co2_dosing", "fogging", "lamps")) {
                actuators.add("{\"actuator\":\"" + actuator + "\",\"value\":" + (m % 3) * 10 + ",\"unit\":\"%\",\"timestamp\":\"" + t + "\"}");
            }
        }
        java.util.Collections.swap(readings, 3, 500);
        java.util.Collections.swap(actuators, 7, 300);
        String body = "{\"zoneId\":\"zone-b\",\"deviceId\":\"climate-1\",\"readings\":[" + String.join(",", readings)
                + "],\"actuators\":[" + String.join(",", actuators) + "]}";

        List<String> ids = given().contentType(ContentType.JSON).header("Authorization", "Bearer " + TOKEN)
                .body(body).post("/v1/greenhouses/gh-test/readings")
                .then().statusCode(202).extract().jsonPath().getList("eventIds", String.class);

        assertThat(ids).hasSize(2);
        Map<String, ReadingsBatch> byId = new HashMap<>();
        records("greenhouse.readings", ids).forEach(r -> byId.put(r.value().getId(), Events.payload(r.value(), ReadingsBatch.class)));
        Instant previousEnd = Instant.MIN;
        int items = 0;
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String id : ids) {
            ReadingsBatch record = byId.get(id);
            assertThat(record.readings()).as("readings of record " + id).isNotEmpty();
            assertThat(record.actuators()).as("actuator states of record " + id).isNotEmpty();
            List<Instant> times = new ArrayList<>();
            record.readings().forEach(r -> times.add(r.timestamp()));
            record.actuators().forEach(a -> times.add(a.timestamp()));
            assertThat(java.util.Collections.min(times)).isAfterOrEqualTo(previousEnd);
            previousEnd = java.util.Collections.max(times);
            items += record.size();
            record.readings().forEach(r -> seen.add(r.sensor() + "@" + r.timestamp()));
            record.actuators().forEach(a -> seen.add(a.actuator() + "@" + a.timestamp()));
        }
        assertThat(items).isEqualTo(900);
        assertThat(seen).hasSize(900);
    }

    @Test
    void resendingTheSameRequestYieldsTheSameEventIds() {
        String body = batch(reading("co2", 700, "ppm", recent(3)));

        List<String> first = given().contentType(ContentType.JSON).header("Authorization", "Bearer " + TOKEN)
                .body(body).post("/v1/greenhouses/gh-test/readings").then().statusCode(202)
                .extract().jsonPath().getList("eventIds", String.class);
        List<String> again = given().contentType(ContentType.JSON).header("Authorization", "Bearer " + TOKEN)
                .body(body).post("/v1/greenhouses/gh-test/readings").then().statusCode(202)
                .extract().jsonPath().getList("eventIds", String.class);

        assertThat(again).isEqualTo(first);
    }

    @Test
    void implausibleReadingGoesToQuarantineWithItsReasonAndTheRestIsAccepted() {
        String ts = recent(4);
        ExtractableResponse<Response> response = given().contentType(ContentType.JSON)
                .header("Authorization", "Bearer " + TOKEN)
                .body(batch(reading("air_temperature", 22.5, "degC", ts), reading("co2", 9000, "ppm", ts)))
                .post("/v1/greenhouses/gh-test/readings").then().statusCode(202).extract();

        assertThat(response.jsonPath().getInt("accepted")).isEqualTo(1);
        assertThat(response.jsonPath().getInt("quarantined")).isEqualTo(1);
        assertThat(response.jsonPath().getString("quarantinedItems[0].pointer")).isEqualTo("/readings/1");
        ReadingsBatch sent = new ReadingsBatch("gh-test", "zone-a", "climate-1",
                List.of(new Reading(SensorKind.CO2, 9000, "ppm", Instant.parse(ts))), List.of());
        String quarantineId = Events.derivedId("quarantine", "gh-test", "zone-a", "climate-1",
                sent.readingId(sent.readings().get(0)));

        ConsumerRecord<String, CloudEvent> record = records("greenhouse.readings.quarantine", List.of(quarantineId)).get(0);
        assertThat(record.value().getExtension(IngestService.QUARANTINE_REASON).toString())
                .contains("outside the plausible greenhouse range");
        assertThat(Events.payload(record.value(), ReadingsBatch.class)).isEqualTo(sent);
    }
}
