package dev.greenloop.ingest;

import dev.greenloop.events.Events;
import dev.greenloop.events.Extensions;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.testkit.quarkus.KafkaResource;
import dev.greenloop.testkit.quarkus.MongoResource;
import io.cloudevents.CloudEvent;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static dev.greenloop.ingest.IngestTesting.*;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * History older than live readings may be: refused live, refused in backfill mode from a device
 * not registered for it, accepted from one that is, and marked so that preprocess keeps it out of
 * online features.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(MongoResource.class)
class BackfillTest {

    private static final String PATH = "/v1/greenhouses/gh-test/readings";

    private static String history(int daysAgo, String device) {
        String t = Instant.now().minus(Duration.ofDays(daysAgo)).truncatedTo(ChronoUnit.MINUTES).toString();
        return "{\"zoneId\":\"zone-a\",\"deviceId\":\"" + device + "\",\"readings\":[" + reading("air_temperature", 18.5, "degC", t) + "],"
                + "\"actuators\":[{\"actuator\":\"vent\",\"value\":12,\"unit\":\"%\",\"timestamp\":\"" + t + "\"}]}";
    }

    private static ExtractableResponse<Response> post(String token, String query, String body) {
        return given().contentType(ContentType.JSON).header("Authorization", "Bearer " + token).body(body)
                .post(PATH + query).then().extract();
    }

    private static String importer() {
        ExtractableResponse<Response> registered = given().contentType(ContentType.JSON)
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .body(Map.of("deviceId", "history-importer", "greenhouseId", GREENHOUSE, "zones", List.of(ZONE), "backfill", true))
                .post("/v1/admin/devices").then().statusCode(201).extract();
        assertThat(registered.jsonPath().getBoolean("backfill")).isTrue();
        return registered.jsonPath().getString("token");
    }

    @Test
    void historyOlderThanLiveReadingsNeedsBackfillModeFromADeviceAllowedToBackfill() {
        String body = history(40, "history-importer");

        ExtractableResponse<Response> live = post(TOKEN, "", history(40, DEVICE));
        assertThat(live.statusCode()).isEqualTo(422);
        assertThat(live.contentType()).startsWith("application/problem+json");
        assertThat(live.body().asString()).contains("older than the 30 days").contains("backfill");

        ExtractableResponse<Response> notAllowed = post(TOKEN, "?backfill=true", history(40, DEVICE));
        assertThat(notAllowed.statusCode()).isEqualTo(403);
        assertThat(notAllowed.body().asString()).contains("may not send history in backfill mode");

        ExtractableResponse<Response> accepted = post(importer(), "?backfill=true", body);
        assertThat(accepted.statusCode()).as(accepted.body().asString()).isEqualTo(202);
        assertThat(accepted.jsonPath().getString("mode")).isEqualTo("backfill");
        assertThat(accepted.jsonPath().getInt("accepted")).isEqualTo(2);
        List<String> ids = accepted.jsonPath().getList("eventIds", String.class);
        ConsumerRecord<String, CloudEvent> record = records("greenhouse.readings", ids).get(0);
        assertThat(record.value().getExtension(Extensions.BACKFILL)).hasToString("true");
        assertThat(Events.payload(record.value(), ReadingsBatch.class).actuators()).hasSize(1);
    }

    @Test
    void liveReadingsCarryNoBackfillMarkAndABackfillOfTheSameItemsIsAnotherEvent() {
        String token = importer();
        String body = history(2, "history-importer");

        ExtractableResponse<Response> live = post(token, "", body);
        ExtractableResponse<Response> backfill = post(token, "?backfill=true", body);

        assertThat(live.statusCode()).isEqualTo(202);
        assertThat(live.jsonPath().getString("mode")).isNull();
        assertThat(backfill.statusCode()).isEqualTo(202);
        List<String> liveIds = live.jsonPath().getList("eventIds", String.class);
        List<String> backfillIds = backfill.jsonPath().getList("eventIds", String.class);
        assertThat(backfillIds).doesNotContainAnyElementsOf(liveIds);
        assertThat(records("greenhouse.readings", liveIds).get(0).value().getExtension(Extensions.BACKFILL)).isNull();
    }
}
