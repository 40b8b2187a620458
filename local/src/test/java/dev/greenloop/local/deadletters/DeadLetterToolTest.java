package dev.greenloop.local.deadletters;

import com.sun.net.httpserver.HttpServer;
import dev.greenloop.local.eventing.DeadLetters;
import dev.greenloop.testkit.kafka.KafkaBroker;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.message.Encoding;
import io.cloudevents.http.HttpMessageFactory;
import io.cloudevents.kafka.CloudEventSerializer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The dead-letter tool against the test kit's Kafka and a real HTTP endpoint playing the Broker. */
class DeadLetterToolTest {

    private String topic;
    private HttpServer broker;
    private final List<CloudEvent> posted = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final AtomicInteger refuse = new AtomicInteger();

    @BeforeEach
    void setUp() throws Exception {
        KafkaBroker kafka = KafkaBroker.shared();
        topic = "dead-letter-" + UUID.randomUUID();
        kafka.createTopic(topic, 2);
        try (KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all", CloudEventSerializer.ENCODING_CONFIG,
                Encoding.BINARY.name()), new StringSerializer(), new CloudEventSerializer())) {
            DeadLetters letters = new DeadLetters(producer, topic);
            letters.send(event("p-1", "dev.greenloop.prediction.v1"), "gh-1/z1", URI.create("http://control/"), 422,
                    "{\"detail\":\"prediction for an unknown zone\"}");
            letters.send(event("p-2", "dev.greenloop.prediction.v1"), "gh-1/z1", URI.create("http://control/"), 503, "MongoDB down");
            letters.send(event("w-1", "dev.greenloop.features.window.v1"), "gh-1/z2", URI.create("http://infer/"), 503,
                    "no model");
        }
        broker = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        broker.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (refuse.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                exchange.sendResponseHeaders(503, -1);
                exchange.close();
                return;
            }
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.get(0)));
            authorizations.add(headers.get("authorization"));
            posted.add(HttpMessageFactory.createReader(headers, body).toEvent());
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        broker.start();
    }

    @AfterEach
    void tearDown() {
        broker.stop(0);
    }

    private static CloudEvent event(String id, String type) {
        return CloudEventBuilder.v1().withId(id).withSource(URI.create("/test")).withType(type)
                .withExtension("greenhouseid", "gh-1")
                .withData("application/json", ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8)).build();
    }

    private String run(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        String[] all = java.util.stream.Stream.concat(java.util.stream.Stream.of(args), java.util.stream.Stream.of(
                "--bootstrap=" + KafkaBroker.shared().bootstrapServers(), "--topic=" + topic)).toArray(String[]::new);
        int status = DeadLetterTool.run(all, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        return status + "\n" + out;
    }

    private String to() {
        return "--to=http://127.0.0.1:" + broker.getAddress().getPort() + "/";
    }

    @Test
    void listSaysWhatFailedWhereAndWhyAndCountsByReason() {
        String out = run("list");

        assertThat(out).startsWith("0\n").contains("p-1").contains("p-2").contains("w-1")
                .contains("http://control/: {\"detail\":\"prediction for an unknown zone\"}")
                .contains("3 dead letter(s)").contains("     1  422 from http://control/")
                .contains("     1  503 from http://control/").contains("     1  503 from http://infer/");
    }

    @Test
    void showGivesTheWholeAnswerAndTheEvent() {
        String position = position("w-1");

        String out = run("show", position);

        assertThat(out).contains("destination  http://infer/").contains("status       503").contains("answer       no model")
                .contains("id           w-1").contains("ce-greenhouseid").contains("data         {\"id\":\"w-1\"}");
    }

    @Test
    void replayAllSendsEachOriginalOnceAndResumesAfterARefusal() {
        refuse.set(1);
        String first = run("replay", "--all", to());
        assertThat(first).startsWith("1\n").contains("stopped at");
        String second = run("replay", "--all", to());
        String third = run("replay", "--all", to());

        assertThat(second).startsWith("0\n");
        assertThat(third).contains("nothing to replay");
        assertThat(posted).extracting(CloudEvent::getId).containsExactlyInAnyOrder("p-1", "p-2", "w-1");
        assertThat(posted).allSatisfy(e -> {
            assertThat(e.getExtensionNames()).noneMatch(n -> n.startsWith("knativeerror")).contains("greenhouseid");
            assertThat(new String(e.getData().toBytes(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"" + e.getId() + "\"}");
        });
    }

    @Test
    void replayOfOnePositionSendsThatOneWithTheToken() throws Exception {
        java.nio.file.Path token = java.nio.file.Files.createTempFile("broker", ".token");
        java.nio.file.Files.writeString(token, "the-broker-token\n");

        String out = run("replay", position("p-2"), to(), "--token-file=" + token);

        assertThat(out).startsWith("0\n").contains("replayed");
        assertThat(posted).extracting(CloudEvent::getId).containsExactly("p-2");
        assertThat(authorizations).containsExactly("Bearer the-broker-token");
    }

    private String position(String id) {
        return run("list").lines().filter(l -> l.contains(" " + id + " ")).map(l -> l.split(" +")[0]).findFirst()
                .orElseThrow(() -> new AssertionError("no " + id + " in the list"));
    }
}
