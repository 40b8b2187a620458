package dev.greenloop.monitor;

import dev.greenloop.deadletters.DeadLetter;
import dev.greenloop.testkit.kafka.KafkaBroker;
import dev.greenloop.testkit.quarkus.KafkaResource;
import dev.greenloop.testkit.quarkus.MongoResource;
import dev.greenloop.testkit.quarkus.OidcResource;
import dev.greenloop.testkit.sink.CapturingSink;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.message.Encoding;
import io.cloudevents.kafka.CloudEventSerializer;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator's dead-letter API against the test kit's Kafka, with a real HTTP endpoint playing
 * the Broker: what failed where and why, one in full, and replays that send each original once.
 */
@QuarkusTest
@TestProfile(DeadLetterApiTest.Profile.class)
@WithTestResource(value = OidcResource.class, initArgs = @ResourceArg(name = "audience", value = "greenloop-monitor"))
@WithTestResource(MongoResource.class)
@WithTestResource(KafkaResource.class)
@WithTestResource(CapturingSink.class)
class DeadLetterApiTest {

    /** One per test run, the same in the test's and the application's class loaders. */
    static final String TOPIC = "dead-letter-api-" + ProcessHandle.current().pid() + "-"
            + java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    /** The operator token, and a dead-letter topic of this class alone. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("greenloop.monitor.operator-token", MonitorTestProfile.OPERATOR_TOKEN,
                    "greenloop.monitor.mongodb.database", "monitor-test",
                    "greenloop.monitor.dead-letters.topic", TOPIC,
                    "greenloop.monitor.dead-letters.count-interval", "500ms");
        }
    }

    @BeforeAll
    static void deadLetters() throws Exception {
        KafkaBroker kafka = KafkaBroker.shared();
        kafka.createTopic(TOPIC, 1);
        try (KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all", CloudEventSerializer.ENCODING_CONFIG,
                Encoding.BINARY.name()), new StringSerializer(), new CloudEventSerializer())) {
            producer.send(new ProducerRecord<>(TOPIC, "gh-1/z1", DeadLetter.failed(event("p-1"), "http://control.greenloop.svc/", 422,
                    "{\"detail\":\"prediction for an unknown zone\"}"))).get();
            producer.send(new ProducerRecord<>(TOPIC, "gh-1/z1", DeadLetter.failed(event("p-2"), "http://control.greenloop.svc/", 503,
                    "MongoDB did not answer"))).get();
            producer.send(new ProducerRecord<>(TOPIC, "gh-1/z2", DeadLetter.failed(event("w-1"), "http://infer.greenloop.svc/", 503,
                    "no model"))).get();
        }
    }

    private static CloudEvent event(String id) {
        return CloudEventBuilder.v1().withId(RUN + "-" + id).withSource(URI.create("/apis/v1/namespaces/greenloop/kafkasources/x"))
                .withType("dev.greenloop.prediction.v1").withExtension("greenhouseid", "gh-1").withExtension("zoneid", "z1")
                .withData("application/json", ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8)).build();
    }

    private static ExtractableResponse<Response> get(String path) {
        return given().header("Authorization", "Bearer " + MonitorTestProfile.OPERATOR_TOKEN).get(path).then().extract();
    }

    private static ExtractableResponse<Response> replay(String body) {
        return given().header("Authorization", "Bearer " + MonitorTestProfile.OPERATOR_TOKEN).contentType("application/json")
                .body(body).post("/v1/dead-letters/replay").then().extract();
    }

    private static List<String> received() {
        return CapturingSink.received().stream().map(CloudEvent::getId).filter(id -> id.startsWith(RUN)).toList();
    }

    @Test
    void theListSaysWhatFailedWhereAndWhyCountedByReasonNewestFirst() {
        ExtractableResponse<Response> list = get("/v1/dead-letters?limit=2");

        assertThat(list.statusCode()).as(list.asString()).isEqualTo(200);
        assertThat(list.jsonPath().getInt("total")).isEqualTo(3);
        assertThat(list.jsonPath().getMap("byReason")).containsEntry("422 from http://control.greenloop.svc/", 1)
                .containsEntry("503 from http://control.greenloop.svc/", 1).containsEntry("503 from http://infer.greenloop.svc/", 1);
        assertThat(list.jsonPath().getInt("shown")).isEqualTo(2);
        assertThat(list.jsonPath().getList("letters.id")).containsExactly(RUN + "-w-1", RUN + "-p-2");
        assertThat(list.jsonPath().getString("letters[0].answer")).isEqualTo("no model");
        assertThat(list.jsonPath().getString("letters[0].greenhouseId")).isEqualTo("gh-1");
    }

    @Test
    void theMetricsCountEveryDeadLetterByStatusAndDestination() throws InterruptedException {
        String control = "greenloop_monitor_dead_letters_total{destination=\"http://control.greenloop.svc/\",function=\"monitor\",status=\"";
        String infer = "greenloop_monitor_dead_letters_total{destination=\"http://infer.greenloop.svc/\",function=\"monitor\",status=\"503\"}";
        String metrics = "";
        // The letters are counted as monitor's consumer reads them: wait for all three, not the first two.
        for (int i = 0; i < 100 && !(metrics.contains(control + "503\"}") && metrics.contains(control + "422\"}")
                && metrics.contains(infer)); i++) {
            Thread.sleep(200);
            metrics = given().get(dev.greenloop.testkit.quarkus.Metrics.URL).then().statusCode(200).extract().asString();
        }

        assertThat(metrics).contains(control + "422\"} 1.0").contains(control + "503\"} 1.0")
                .contains(infer + " 1.0")
                .contains("greenloop_monitor_dead_letters_unreplayed{function=\"monitor\"}");
    }

    @Test
    void oneDeadLetterIsShownInFullAndAWrongPositionIsAProblem() {
        ExtractableResponse<Response> one = get("/v1/dead-letters/0:0");
        ExtractableResponse<Response> missing = get("/v1/dead-letters/0:99");
        ExtractableResponse<Response> malformed = get("/v1/dead-letters/first");

        assertThat(one.statusCode()).as(one.asString()).isEqualTo(200);
        assertThat(one.jsonPath().getString("answer")).isEqualTo("{\"detail\":\"prediction for an unknown zone\"}");
        assertThat(one.jsonPath().getString("code")).isEqualTo("422");
        assertThat(one.jsonPath().getString("event.id")).isEqualTo(RUN + "-p-1");
        assertThat(one.jsonPath().getString("event.data")).isEqualTo("{\"id\":\"p-1\"}");
        assertThat(one.jsonPath().getMap("event.extensions")).containsEntry("greenhouseid", "gh-1")
                .doesNotContainKeys("knativeerrorcode", "knativeerrordest", "knativeerrordata");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.contentType()).startsWith("application/problem+json");
        assertThat(missing.jsonPath().getString("detail")).contains("offsets 0 to 2");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.jsonPath().getString("detail")).contains("PARTITION:OFFSET");
    }

    /**
     * Java's HttpClient (and other clients) offer HTTP/2 on a plain connection (an h2c upgrade);
     * the request's body must reach the resource all the same.
     */
    @Test
    void aClientOfferingAnHttp2UpgradeIsAnsweredAsAnyOther() throws Exception {
        java.net.http.HttpResponse<String> answer = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                        .newBuilder(URI.create("http://localhost:" + io.restassured.RestAssured.port + "/v1/dead-letters/replay"))
                        .header("Authorization", "Bearer " + MonitorTestProfile.OPERATOR_TOKEN)
                        .header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"positions\":[\"0:99\"]}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(404);
        assertThat(answer.body()).contains("offsets 0 to 2");
    }

    @Test
    void withoutTheOperatorTokenNothingIsReadOrReplayed() {
        ExtractableResponse<Response> list = given().get("/v1/dead-letters").then().extract();
        ExtractableResponse<Response> replay = given().header("Authorization", "Bearer wrong").contentType("application/json")
                .body("{\"all\":true}").post("/v1/dead-letters/replay").then().extract();

        assertThat(list.statusCode()).isEqualTo(401);
        assertThat(replay.statusCode()).isEqualTo(401);
        assertThat(received()).isEmpty();
    }

    @Test
    void replaysSendEachOriginalOnceAndAReplayOfAllResumesWhereTheBrokerStoppedIt() {
        ExtractableResponse<Response> neither = replay("{}");
        ExtractableResponse<Response> named = replay("{\"positions\":[\"0:2\"]}");
        CapturingSink.refuseNext(3);
        ExtractableResponse<Response> stopped = replay("{\"all\":true}");
        List<String> afterStop = received();
        ExtractableResponse<Response> resumed = replay("{\"all\":true}");
        ExtractableResponse<Response> again = replay("{\"all\":true}");
        ExtractableResponse<Response> list = get("/v1/dead-letters");

        assertThat(neither.statusCode()).isEqualTo(400);
        assertThat(named.statusCode()).as(named.asString()).isEqualTo(200);
        assertThat(named.jsonPath().getList("replayed")).containsExactly("0:2");
        assertThat(stopped.statusCode()).as(stopped.asString()).isEqualTo(502);
        assertThat(stopped.contentType()).startsWith("application/problem+json");
        assertThat(stopped.jsonPath().getString("errors[0].position")).isEqualTo("0:0");
        assertThat(stopped.jsonPath().getString("detail")).contains("0 replayed before it, 3 left");
        assertThat(afterStop).containsExactly(RUN + "-w-1");
        assertThat(resumed.statusCode()).as(resumed.asString()).isEqualTo(200);
        assertThat(resumed.jsonPath().getList("replayed")).containsExactly("0:0", "0:1", "0:2");
        assertThat(again.jsonPath().getList("replayed")).isEmpty();
        assertThat(received()).containsExactly(RUN + "-w-1", RUN + "-p-1", RUN + "-p-2", RUN + "-w-1");
        assertThat(CapturingSink.received().stream().filter(e -> e.getId().startsWith(RUN)))
                .allSatisfy(e -> assertThat(e.getExtensionNames()).noneMatch(n -> n.startsWith("knativeerror")));
        assertThat(list.jsonPath().getList("letters.replayed")).containsOnly(true);
        Map<String, Object> upTo = new HashMap<>(list.jsonPath().getMap("replayedUpTo"));
        assertThat(upTo).containsEntry("0", 3);
    }
}
