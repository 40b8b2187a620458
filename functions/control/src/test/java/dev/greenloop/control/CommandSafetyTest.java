package dev.greenloop.control;

import io.quarkus.test.common.ResourceArg;
import dev.greenloop.testkit.quarkus.OidcResource;
import com.mongodb.client.model.Filters;
import dev.greenloop.events.EventException;
import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.CommandMode;
import dev.greenloop.events.payload.CommandSignature;
import dev.greenloop.events.payload.ControlCommand;
import dev.greenloop.events.payload.Prediction;
import dev.greenloop.events.signing.CommandVerifier;
import dev.greenloop.testkit.kafka.KafkaBroker;
import dev.greenloop.testkit.quarkus.KafkaResource;
import dev.greenloop.testkit.quarkus.MongoResource;
import io.cloudevents.CloudEvent;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.bson.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;

import static dev.greenloop.control.ControlTesting.GH;
import static dev.greenloop.control.ControlTesting.climate;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.hamcrest.Matchers.containsString;

/**
 * Idempotence, ordering, shadow predictions, the gateway's view of the commands on the topic
 * (signature, tampering, expiry, replay), refusals with a clear problem, and Kafka failing
 * mid-decision. Each test makes a zone of its own; they run in any order.
 */
@QuarkusTest
@WithTestResource(value = OidcResource.class, initArgs = @ResourceArg(name = "audience", value = "greenloop-control"))
@TestProfile(ControlTestProfile.class)
@WithTestResource(KafkaResource.class)
@WithTestResource(MongoResource.class)
class CommandSafetyTest {

    @BeforeAll
    static void topic() {
        KafkaBroker.shared().createTopic(ControlTesting.TOPIC, 3);
    }

    /** A zone on a hot afternoon: a fresh prediction of 28.5 °C gives heating, vent and screen commands. */
    static Prediction hotZone(String g) {
        String z = ControlTesting.zone();
        Instant end = ControlTesting.lastWindowEnd();
        ControlTesting.settingsAtLocalHour(g, z, 14);
        ControlTesting.measured(g, z, end, climate(26.0, 70, 700, 1200, 800, 30));
        ControlTesting.actuators(g, z, 40, 10, 0, 0, 0);
        return ControlTesting.prediction(g, z, end, 28.5, 70.0, 700.0, false);
    }

    @Test
    void theSamePredictionTwiceGivesOneCommandPerActuator() {
        Prediction p = hotZone(GH);
        String id = UUID.randomUUID().toString();
        assertThat(ControlTesting.deliver(id, p).statusCode()).isEqualTo(204);
        assertThat(ControlTesting.deliver(id, p).statusCode()).isEqualTo(204);

        List<ConsumerRecord<String, CloudEvent>> records = ControlTesting.commandsCausedBy(id);
        assertThat(records).hasSize(3);
        assertThat(ControlTesting.byActuator(records)).containsOnlyKeys(ActuatorKind.HEATING, ActuatorKind.VENT,
                ActuatorKind.SCREEN);
        assertThat(ControlTesting.db().getCollection("control_commands")
                .countDocuments(Filters.eq("cause.eventId", id))).isEqualTo(3);
        given().get(dev.greenloop.testkit.quarkus.Metrics.URL).then().body(containsString("greenloop_control_ignored_total{function=\"control\",reason=\"duplicate\"}"));
    }

    @Test
    void anOlderOrShadowPredictionCommandsNothing() {
        Prediction p = hotZone(GH);
        assertThat(ControlTesting.deliver(UUID.randomUUID().toString(), p).statusCode()).isEqualTo(204);

        Prediction older = ControlTesting.prediction(GH, p.zoneId(), p.windowEnd().minusSeconds(60), 14.0, 70.0, 700.0, false);
        String olderId = UUID.randomUUID().toString();
        assertThat(ControlTesting.deliver(olderId, older).statusCode()).isEqualTo(204);
        Prediction shadow = hotZone(GH);
        shadow = new Prediction(shadow.greenhouseId(), shadow.zoneId(), shadow.windowId(), shadow.windowEnd(),
                shadow.modelName(), "8", "v1", shadow.values(), true);
        String shadowId = UUID.randomUUID().toString();
        assertThat(ControlTesting.deliver(shadowId, shadow).statusCode()).isEqualTo(204);

        assertThat(ControlTesting.commandsCausedBy(olderId)).isEmpty();
        assertThat(ControlTesting.commandsCausedBy(shadowId)).isEmpty();
    }

    @Test
    void commandsOnTheTopicVerifyAndAnyTamperingExpiryOrReplayIsRejected() {
        String id = UUID.randomUUID().toString();
        assertThat(ControlTesting.deliver(id, hotZone(GH)).statusCode()).isEqualTo(204);
        List<ControlCommand> commands = ControlTesting.commandsCausedBy(id).stream().map(ControlTesting::command).toList();
        assertThat(commands).isNotEmpty();
        ControlCommand vent = commands.stream().filter(c -> c.actuator() == ActuatorKind.VENT).findFirst().orElseThrow();
        Instant issued = vent.signature().issuedAt();
        CommandVerifier gateway = CommandVerifier.withDefaults(ControlTesting.keys(), Clock.fixed(issued, ZoneOffset.UTC));

        CommandSignature s = vent.signature();
        Map<String, UnaryOperator<ControlCommand>> tamperings = Map.of(
                "value", c -> copy(c, c.actuator(), 100.0, c.zoneId(), c.commandId(), c.reason(), c.mode(), c.predictionId()),
                "actuator", c -> copy(c, ActuatorKind.SCREEN, c.value(), c.zoneId(), c.commandId(), c.reason(), c.mode(), c.predictionId()),
                "zone", c -> copy(c, c.actuator(), c.value(), "another-zone", c.commandId(), c.reason(), c.mode(), c.predictionId()),
                "command id", c -> copy(c, c.actuator(), c.value(), c.zoneId(), UUID.randomUUID().toString(), c.reason(), c.mode(), c.predictionId()),
                "reason", c -> copy(c, c.actuator(), c.value(), c.zoneId(), c.commandId(), "operator says so", c.mode(), c.predictionId()),
                "mode", c -> copy(c, c.actuator(), c.value(), c.zoneId(), c.commandId(), c.reason(), CommandMode.FALLBACK, c.predictionId()),
                "prediction id", c -> copy(c, c.actuator(), c.value(), c.zoneId(), c.commandId(), c.reason(), c.mode(), null),
                "expiry", c -> c.withSignature(new CommandSignature(s.algorithm(), s.keyId(), s.issuedAt(),
                        s.expiresAt().plusSeconds(60), s.nonce(), s.value())),
                "nonce", c -> c.withSignature(new CommandSignature(s.algorithm(), s.keyId(), s.issuedAt(), s.expiresAt(),
                        "AAAAAAAAAAAAAAAAAAAAAA", s.value())),
                "key of another greenhouse", c -> c.withSignature(new CommandSignature(s.algorithm(),
                        ControlTestProfile.CHECK_KEY_ID, s.issuedAt(), s.expiresAt(), s.nonce(), s.value())));
        tamperings.forEach((field, tamper) -> {
            EventException e = catchThrowableOfType(EventException.class, () -> gateway.verify(tamper.apply(vent)));
            assertThat(e).as("tampered %s", field).isNotNull();
            assertThat(e.kind()).as("tampered %s", field).isIn(EventException.Kind.BAD_SIGNATURE, EventException.Kind.UNKNOWN_KEY);
        });

        assertThat(gateway.verify(vent)).isEqualTo(vent);
        EventException replay = catchThrowableOfType(EventException.class, () -> gateway.verify(vent));
        assertThat(replay.kind()).isEqualTo(EventException.Kind.REPLAYED);

        CommandVerifier late = CommandVerifier.withDefaults(ControlTesting.keys(),
                Clock.fixed(vent.signature().expiresAt().plus(Duration.ofMinutes(1)), ZoneOffset.UTC));
        assertThat(catchThrowableOfType(EventException.class, () -> late.verify(vent)).kind())
                .isEqualTo(EventException.Kind.EXPIRED);
        assertThat(vent.signature().expiresAt()).isEqualTo(issued.plus(Duration.ofMinutes(2)));
    }

    private static ControlCommand copy(ControlCommand c, ActuatorKind actuator, double value, String zone, String id,
                                       String reason, CommandMode mode, String predictionId) {
        return new ControlCommand(id, c.greenhouseId(), zone, actuator, value, actuator.unit(), mode, reason, predictionId,
                c.signature());
    }

    @Test
    void aGreenhouseWithoutAKeyOrWithInvalidSettingsIsRefusedWithAProblem() {
        String id = UUID.randomUUID().toString();
        ExtractableResponse<Response> noKey = ControlTesting.deliver(id, hotZone("gh-without-key"));
        assertThat(noKey.statusCode()).isEqualTo(422);
        assertThat(noKey.contentType()).startsWith("application/problem+json");
        assertThat(noKey.jsonPath().getString("detail")).contains("greenhouse gh-without-key has no signing key");
        assertThat(ControlTesting.commandsCausedBy(id)).isEmpty();

        Prediction p = hotZone(GH);
        ControlTesting.settings(GH, p.zoneId(), new Document("dayTemperature", new Document("low", 30).append("high", 20)));
        ExtractableResponse<Response> badBand = ControlTesting.deliver(UUID.randomUUID().toString(), p);
        assertThat(badBand.statusCode()).isEqualTo(422);
        assertThat(badBand.jsonPath().getString("detail")).contains("settings of zone " + GH + "/" + p.zoneId())
                .contains("dayTemperature").contains("must be below high");

        ControlTesting.settings(GH, p.zoneId(), new Document("dayTemprature", new Document("low", 18)));
        ExtractableResponse<Response> typo = ControlTesting.deliver(UUID.randomUUID().toString(), p);
        assertThat(typo.statusCode()).isEqualTo(422);
        assertThat(typo.jsonPath().getString("detail")).contains("unknown field 'dayTemprature'");

        ExtractableResponse<Response> invalid = given().header("ce-specversion", "1.0").header("ce-id", "bad-1")
                .header("ce-source", "/greenloop/infer").header("ce-type", "dev.greenloop.prediction.v1")
                .contentType("application/json").body("{\"greenhouseId\":\"gh-test\"}").post("/").then().extract();
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(invalid.jsonPath().getString("detail")).isNotBlank();
    }

    @Test
    void whenKafkaFailsTheDeliveryIsRetriedAndEachCommandIsActedOnOnce() {
        Prediction p = hotZone(GH);
        String id = UUID.randomUUID().toString();
        KafkaBroker kafka = KafkaBroker.shared();
        kafka.pause();
        ExtractableResponse<Response> failed;
        try {
            failed = ControlTesting.deliver(id, p);
        } finally {
            kafka.resume();
        }
        assertThat(failed.statusCode()).isEqualTo(503);
        assertThat(failed.contentType()).startsWith("application/problem+json");
        assertThat(failed.jsonPath().getString("detail")).contains("Kafka did not take command");
        List<Document> reserved = ControlTesting.db().getCollection("control_commands")
                .find(Filters.eq("cause.eventId", id)).into(new ArrayList<>());
        assertThat(reserved).hasSize(3).allSatisfy(d -> assertThat(d.getString("status")).isEqualTo("pending"));

        // The Broker redelivers: the reserved commands are published with their stored bytes.
        assertThat(ControlTesting.deliver(id, p).statusCode()).isEqualTo(204);
        List<ControlCommand> onTopic = ControlTesting.commandsCausedBy(id).stream().map(ControlTesting::command).toList();
        Set<String> ids = new HashSet<>();
        CommandVerifier gateway = CommandVerifier.withDefaults(ControlTesting.keys(), Clock.systemUTC());
        int acted = 0;
        for (ControlCommand c : onTopic) {
            ids.add(c.commandId());
            try {
                gateway.verify(c);
                acted++;
            } catch (EventException e) {
                // A copy the producer delivered after the first attempt timed out: same nonce, a replay.
                assertThat(e.kind()).isEqualTo(EventException.Kind.REPLAYED);
            }
        }
        assertThat(ids).hasSize(3);
        assertThat(acted).isEqualTo(3);
        for (Document d : ControlTesting.db().getCollection("control_commands").find(Filters.eq("cause.eventId", id))) {
            assertThat(d.getString("status")).isEqualTo("sent");
            ControlCommand stored = dev.greenloop.events.json.PayloadCodec.read(dev.greenloop.events.EventType.CONTROL_COMMAND,
                    d.getString("payload").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(onTopic).contains(stored);
        }
    }
}
