package dev.greenloop.ingest;

import dev.greenloop.events.Events;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.Extensions;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.testkit.quarkus.KafkaResource;
import dev.greenloop.testkit.quarkus.MongoResource;
import io.cloudevents.CloudEvent;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static dev.greenloop.ingest.BadInputTest.assertProblem;
import static dev.greenloop.ingest.IngestTesting.*;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** CloudEvents on /: binary, structured and batch mode, and what is wrong with bad ones. */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(MongoResource.class)
class CloudEventsIntakeTest {

    private static final String TRACEPARENT = "00-11111111111111111111111111111111-2222222222222222-01";

    private static String data(String... readings) {
        return "{\"greenhouseId\":\"gh-test\",\"zoneId\":\"zone-a\",\"deviceId\":\"climate-1\",\"readings\":["
                + String.join(",", readings) + "]}";
    }

    private static String structured(String id, String type, String data) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"/gateways/gw-1\",\"type\":\"" + type
                + "\",\"datacontenttype\":\"application/json\",\"traceparent\":\"" + TRACEPARENT + "\",\"data\":" + data + "}";
    }

    @Test
    void binaryModeEventIsPublishedCausedByTheIncomingEvent() {
        String id = UUID.randomUUID().toString();

        List<String> ids = given().header("Authorization", "Bearer " + TOKEN)
                .header("ce-specversion", "1.0").header("ce-id", id).header("ce-source", "/gateways/gw-1")
                .header("ce-type", EventTypes.SENSOR_READINGS).header("ce-traceparent", TRACEPARENT)
                .header("ce-greenhouseid", "gh-test")
                .contentType("application/json").body(data(reading("co2", 812, "ppm", recent(1))))
                .post("/").then().statusCode(202).extract().jsonPath().getList("eventIds", String.class);

        CloudEvent out = records("greenhouse.readings", ids).get(0).value();
        assertThat(out.getExtension(Extensions.CAUSATION_ID)).isEqualTo(id);
        assertThat(out.getExtension(Extensions.TRACEPARENT)).isEqualTo(TRACEPARENT);
        assertThat(Events.payload(out, ReadingsBatch.class).readings().get(0).value()).isEqualTo(812.0);
    }

    @Test
    void structuredModeEventIsPublished() {
        String id = UUID.randomUUID().toString();

        List<String> ids = given().header("Authorization", "Bearer " + TOKEN).contentType("application/cloudevents+json")
                .body(structured(id, EventTypes.SENSOR_READINGS, data(reading("par", 1210, "umol/m2/s", recent(1)))))
                .post("/").then().statusCode(202).extract().jsonPath().getList("eventIds", String.class);

        ConsumerRecord<String, CloudEvent> record = records("greenhouse.readings", ids).get(0);
        assertThat(record.key()).isEqualTo("gh-test/zone-a");
        assertThat(record.value().getExtension(Extensions.CAUSATION_ID)).isEqualTo(id);
    }

    @Test
    void batchModeEventsArePublishedTogether() {
        String body = "[" + structured(UUID.randomUUID().toString(), EventTypes.SENSOR_READINGS,
                data(reading("co2", 600, "ppm", recent(2)))) + ","
                + structured(UUID.randomUUID().toString(), EventTypes.SENSOR_READINGS,
                data(reading("co2", 610, "ppm", recent(1)))) + "]";

        ExtractableResponse<Response> response = given().header("Authorization", "Bearer " + TOKEN)
                .contentType("application/cloudevents-batch+json").body(body).post("/").then().statusCode(202).extract();

        assertThat(response.jsonPath().getInt("accepted")).isEqualTo(2);
        assertThat(records("greenhouse.readings", response.jsonPath().getList("eventIds", String.class))).hasSize(2);
    }

    @Test
    void batchWithOneBadEventPublishesNothingAndPointsAtTheBadOne() {
        String body = "[" + structured(UUID.randomUUID().toString(), EventTypes.SENSOR_READINGS,
                data(reading("co2", 600, "ppm", recent(2)))) + ","
                + structured(UUID.randomUUID().toString(), EventTypes.SENSOR_READINGS,
                data(reading("co2", -1, "ppm", recent(1)))) + "]";

        ExtractableResponse<Response> response = given().header("Authorization", "Bearer " + TOKEN)
                .contentType("application/cloudevents-batch+json").body(body).post("/").then().extract();

        assertProblem(response, 422, "/1/data/readings/0/value", "event /1");
    }

    @Test
    void badCloudEventAttributesAreRejected() {
        String data = data(reading("co2", 600, "ppm", recent(1)));
        var device = given().header("Authorization", "Bearer " + TOKEN);

        assertProblem(given().header("Authorization", "Bearer " + TOKEN).header("ce-specversion", "1.0")
                .header("ce-source", "/gw").header("ce-type", EventTypes.SENSOR_READINGS)
                .contentType("application/json").body(data).post("/").then().extract(), 400, null, "CloudEvent");
        assertProblem(given().header("Authorization", "Bearer " + TOKEN).contentType("application/cloudevents+json")
                .body(structured("e1", "com.example.other", data)).post("/").then().extract(), 400, "/type", "accepts");
        assertProblem(given().header("Authorization", "Bearer " + TOKEN).header("ce-specversion", "1.0")
                .header("ce-id", "e2").header("ce-source", "/gw").header("ce-type", EventTypes.SENSOR_READINGS)
                .header("ce-greenhouseid", "gh-other").contentType("application/json").body(data).post("/")
                .then().extract(), 400, "/greenhouseid", "gh-other");
        assertProblem(given().header("Authorization", "Bearer " + TOKEN).header("ce-specversion", "1.0")
                .header("ce-id", "e3").header("ce-source", "/gw").header("ce-type", EventTypes.SENSOR_READINGS)
                .contentType("text/csv").body("co2,600").post("/").then().extract(), 415, null, "text/csv");
        assertProblem(device.contentType("application/json").body(data).post("/").then().extract(), 400, null,
                "ce-specversion");
        assertProblem(given().header("Authorization", "Bearer " + TOKEN).contentType("application/cloudevents-batch+json")
                .body("{\"not\":\"an array\"}").post("/").then().extract(), 400, null, "JSON array");
        assertProblem(given().header("Authorization", "Bearer " + TOKEN).contentType("application/cloudevents+json")
                .body("{\"specversion\":\"0.1\",\"id\":\"x\"}").post("/").then().extract(), 400, null, "CloudEvent");
    }

    @Test
    void unauthenticatedEventIs401() {
        assertProblem(given().contentType("application/cloudevents+json")
                .body(structured("e4", EventTypes.SENSOR_READINGS, data(reading("co2", 600, "ppm", recent(1)))))
                .post("/").then().extract(), 401, null, null);
    }
}
