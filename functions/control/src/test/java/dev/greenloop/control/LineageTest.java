package dev.greenloop.control;

import io.quarkus.test.common.ResourceArg;
import dev.greenloop.testkit.quarkus.OidcResource;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import dev.greenloop.onlinestore.OnlineStore;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.Extensions;
import dev.greenloop.events.TestEvents;
import dev.greenloop.events.payload.ControlCommand;
import dev.greenloop.events.payload.Prediction;
import dev.greenloop.events.signing.AckSignature;
import dev.greenloop.events.signing.SigningKey;
import dev.greenloop.testkit.quarkus.KafkaResource;
import dev.greenloop.testkit.quarkus.MongoResource;
import io.cloudevents.CloudEvent;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.greenloop.control.ControlTesting.GH;
import static dev.greenloop.control.ControlTesting.climate;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** The audit trail: lineage back to readings, gateway acknowledgements, and unacknowledged commands. */
@QuarkusTest
@WithTestResource(value = OidcResource.class, initArgs = @ResourceArg(name = "audience", value = "greenloop-control"))
@TestProfile(ControlTestProfile.class)
@WithTestResource(KafkaResource.class)
@WithTestResource(MongoResource.class)
class LineageTest {

    private static final String OPERATOR = "Bearer " + ControlTestProfile.OPERATOR_TOKEN;

    record Issued(Prediction prediction, String eventId, List<String> readingIds, List<ConsumerRecord<String, CloudEvent>> records) {
    }

    static Issued issue() {
        String z = ControlTesting.zone();
        Instant end = ControlTesting.lastWindowEnd();
        ControlTesting.settingsAtLocalHour(GH, z, 14);
        List<String> readingIds = ControlTesting.measured(GH, z, end, climate(26.0, 70, 700, 1200, 800, 30));
        ControlTesting.actuators(GH, z, 40, 10, 0, 0, 0);
        Prediction p = ControlTesting.prediction(GH, z, end, 28.5, 70.0, 700.0, false);
        String id = UUID.randomUUID().toString();
        assertThat(ControlTesting.deliver(id, p).statusCode()).isEqualTo(204);
        List<ConsumerRecord<String, CloudEvent>> records = ControlTesting.commandsCausedBy(id);
        assertThat(records).hasSize(3);
        return new Issued(p, id, readingIds, records);
    }

    @Test
    void aCommandsLineageResolvesToItsPredictionModelWindowAndReadings() {
        Issued issued = issue();
        ControlCommand command = ControlTesting.command(issued.records().get(0));

        JsonPath lineage = given().header("Authorization", OPERATOR).get("/v1/commands/" + command.commandId() + "/lineage")
                .then().statusCode(200).extract().jsonPath();
        assertThat(lineage.getString("commandId")).isEqualTo(command.commandId());
        assertThat(lineage.getString("actuator")).isEqualTo(command.actuator().wireName());
        assertThat(lineage.getDouble("value")).isEqualTo(command.value());
        assertThat(lineage.getString("mode")).isEqualTo("predictive");
        assertThat(lineage.getString("status")).isEqualTo("sent");
        assertThat(lineage.getString("cause.eventId")).isEqualTo(issued.eventId());
        assertThat(lineage.getString("cause.type")).isEqualTo(EventTypes.PREDICTION);
        assertThat(lineage.getString("prediction.eventId")).isEqualTo(issued.eventId()).isEqualTo(command.predictionId());
        assertThat(lineage.getString("prediction.modelName")).isEqualTo(issued.prediction().modelName());
        assertThat(lineage.getString("prediction.modelVersion")).isEqualTo("7");
        assertThat(lineage.getString("prediction.windowId")).isEqualTo(issued.prediction().windowId());
        assertThat(lineage.getString("window.windowId")).isEqualTo(issued.prediction().windowId());
        assertThat(lineage.getList("window.readingEventIds", String.class)).containsExactlyElementsOf(issued.readingIds());
        // The reading ids are the ones preprocess stored in the window.
        for (String reading : lineage.getList("window.readingEventIds", String.class)) {
            assertThat(ControlTesting.db().getCollection(OnlineStore.WINDOWS).countDocuments(Filters.eq(OnlineStore.EVENTS, reading))).isEqualTo(1);
        }
        // And the record on the topic carries the same chain.
        assertThat(issued.records().get(0).value().getExtension(Extensions.CAUSATION_ID)).isEqualTo(issued.eventId());
        assertThat(String.valueOf(issued.records().get(0).value().getExtension(Extensions.TRACEPARENT)))
                .contains("4bf92f3577b34da6a3ce929d0e0e4736");
    }

    @Test
    void theOperatorEndpointsNeedTheTokenAndNameWhatIsMissing() {
        ExtractableResponse<Response> none = given().get("/v1/commands/anything/lineage").then().extract();
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.contentType()).startsWith("application/problem+json");
        assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(given().header("Authorization", "Bearer wrong").get("/v1/commands/anything/lineage").statusCode())
                .isEqualTo(401);
        assertThat(given().header("Authorization", "Bearer wrong").get("/v1/commands/unacknowledged").statusCode())
                .isEqualTo(401);
        ExtractableResponse<Response> missing = given().header("Authorization", OPERATOR)
                .get("/v1/commands/no-such-command/lineage").then().extract();
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.jsonPath().getString("detail")).isEqualTo("no command no-such-command");
    }

    private static ExtractableResponse<Response> ack(String commandId, String status, Instant at, SigningKey key, String mac) {
        return given().contentType("application/json").body(Map.of("status", status, "ackedAt", at.toString(),
                "keyId", key.keyId(), "signature", mac)).post("/v1/commands/" + commandId + "/ack").then().extract();
    }

    @Test
    void signedAcknowledgementsAreRecordedOnceAndForgedOnesRefused() {
        Issued issued = issue();
        String id = ControlTesting.command(issued.records().get(0)).commandId();
        SigningKey key = TestEvents.signingKey();
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String mac = AckSignature.sign(key, id, "applied", at);

        ExtractableResponse<Response> first = ack(id, "applied", at, key, mac);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.jsonPath().getBoolean("recorded")).isTrue();
        ExtractableResponse<Response> again = ack(id, "applied", at, key, mac);
        assertThat(again.jsonPath().getBoolean("recorded")).isFalse();
        assertThat(again.jsonPath().getString("ack.status")).isEqualTo("applied");

        String other = ControlTesting.command(issued.records().get(1)).commandId();
        assertThat(ack(other, "rejected", at, key, mac).statusCode()).as("a MAC for another command").isEqualTo(403);
        SigningKey foreign = new SigningKey(ControlTestProfile.CHECK_KEY_ID, ControlTestProfile.CHECK_GREENHOUSE,
                Base64.getDecoder().decode(ControlTestProfile.CHECK_SECRET));
        ExtractableResponse<Response> wrongGreenhouse = ack(other, "applied", at, foreign,
                AckSignature.sign(foreign, other, "applied", at));
        assertThat(wrongGreenhouse.statusCode()).isEqualTo(403);
        assertThat(wrongGreenhouse.jsonPath().getString("detail")).contains("does not sign for greenhouse " + GH);
        Instant old = at.minus(Duration.ofHours(1));
        assertThat(ack(other, "applied", old, key, AckSignature.sign(key, other, "applied", old)).statusCode()).isEqualTo(403);
        assertThat(ack(other, "done", at, key, AckSignature.sign(key, other, "done", at)).statusCode()).isEqualTo(400);
        assertThat(ack("no-such-command", "applied", at, key, AckSignature.sign(key, "no-such-command", "applied", at))
                .statusCode()).isEqualTo(404);
        assertThat(given().contentType("application/json").body("{\"status\":").post("/v1/commands/" + other + "/ack")
                .statusCode()).isEqualTo(400);
    }

    @Test
    void expiredCommandsWithoutAnAcknowledgementAreReported() {
        Issued issued = issue();
        List<String> ids = issued.records().stream().map(r -> ControlTesting.command(r).commandId()).toList();
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        assertThat(ack(ids.get(0), "applied", at, TestEvents.signingKey(),
                AckSignature.sign(TestEvents.signingKey(), ids.get(0), "applied", at)).statusCode()).isEqualTo(200);
        // Let the commands' lifetime pass.
        ControlTesting.db().getCollection("control_commands").updateMany(Filters.in("_id", ids),
                Updates.set("expiresAt", Date.from(Instant.now().minusSeconds(1))));

        JsonPath report = given().header("Authorization", OPERATOR).queryParam("greenhouseId", GH).queryParam("limit", 1000)
                .get("/v1/commands/unacknowledged").then().statusCode(200).extract().jsonPath();
        List<String> reported = report.getList("commands.commandId", String.class);
        assertThat(reported).contains(ids.get(1), ids.get(2)).doesNotContain(ids.get(0));
        assertThat(report.getList("commands.greenhouseId", String.class)).containsOnly(GH);
        assertThat(given().header("Authorization", OPERATOR).queryParam("limit", 0).get("/v1/commands/unacknowledged")
                .statusCode()).isEqualTo(400);
    }
}
