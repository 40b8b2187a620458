package dev.greenloop.control;

import dev.greenloop.events.EventTypes;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.Prediction;
import dev.greenloop.testkit.http.RawHttp;
import dev.greenloop.testkit.kafka.KafkaBroker;
import dev.greenloop.testkit.oidc.SenderTokens;
import dev.greenloop.testkit.quarkus.KafkaResource;
import dev.greenloop.testkit.quarkus.MongoResource;
import dev.greenloop.testkit.quarkus.OidcResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import static dev.greenloop.control.ControlTesting.GH;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Only a sender with a valid OIDC token for control's audience can make it command anything: a
 * prediction that would move three actuators, sent without a token, for another audience,
 * expired, signed by another key, or with garbage, is answered 401 and commands nothing; sent
 * with a valid token, it commands.
 */
@QuarkusTest
@WithTestResource(value = OidcResource.class, initArgs = @ResourceArg(name = "audience", value = "greenloop-control"))
@TestProfile(ControlTestProfile.class)
@WithTestResource(KafkaResource.class)
@WithTestResource(MongoResource.class)
class SenderIdentityTest {

    @BeforeAll
    static void topic() {
        KafkaBroker.shared().createTopic(ControlTesting.TOPIC, 3);
    }

    @Test
    void onlyAValidTokenForControlsAudienceHasAnEffect() {
        for (SenderTokens.Sender sender : SenderTokens.forAudience("greenloop-control")) {
            Prediction p = CommandSafetyTest.hotZone(GH);
            String id = UUID.randomUUID().toString();
            RequestSpecification request = given().header("ce-specversion", "1.0").header("ce-id", id)
                    .header("ce-source", "/greenloop/infer").header("ce-type", EventTypes.PREDICTION)
                    .contentType("application/json").body(PayloadCodec.write(p));
            request = sender.authorization() == null ? request.header(OidcResource.NO_TOKEN, "1")
                    : request.header("Authorization", sender.authorization());

            ExtractableResponse<Response> response = request.post("/").then().extract();

            if (sender.valid()) {
                assertThat(response.statusCode()).as(sender.name()).isEqualTo(204);
                assertThat(ControlTesting.commandsCausedBy(id)).as(sender.name()).hasSize(3);
            } else {
                assertThat(response.statusCode()).as(sender.name()).isEqualTo(401);
                assertThat(ControlTesting.commandsCausedBy(id)).as(sender.name()).isEmpty();
            }
        }
    }

    @TestHTTPResource("/")
    URL root;

    @Test
    void aSenderWithoutAValidTokenIsRefusedBeforeItsBodyIsSent() throws Exception {
        for (SenderTokens.Sender sender : SenderTokens.forAudience("greenloop-control")) {
            if (sender.valid()) {
                continue;
            }
            Map<String, String> headers = new LinkedHashMap<>();
            if (sender.authorization() != null) {
                headers.put("Authorization", sender.authorization());
            }
            headers.put("ce-specversion", "1.0");
            headers.put("ce-id", UUID.randomUUID().toString());
            headers.put("ce-source", "/greenloop/infer");
            headers.put("ce-type", EventTypes.PREDICTION);
            // A body of 30,000 bytes is declared and one byte of it sent.
            try (Socket socket = RawHttp.stalled(root, "/", 30_000, headers)) {
                socket.setSoTimeout(30_000);

                // Answered, and the connection closed, without the body.
                String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

                assertThat(answer).as(sender.name()).startsWith("HTTP/1.1 401").contains("application/problem+json")
                        .contains("unauthenticated").containsIgnoringCase("WWW-Authenticate: Bearer");
            }
        }
    }

    @Test
    void theOperatorAndAcknowledgementEndpointsKeepTheirOwnCredentials() {
        // Not OIDC: the operator token is checked by control itself, and a wrong one is its 401, not the issuer's.
        given().header("Authorization", "Bearer " + ControlTestProfile.OPERATOR_TOKEN).get("/v1/commands/unacknowledged")
                .then().statusCode(200);
        given().header("Authorization", "Bearer wrong").get("/v1/commands/unacknowledged").then().statusCode(401)
                .contentType("application/problem+json");
    }
}
