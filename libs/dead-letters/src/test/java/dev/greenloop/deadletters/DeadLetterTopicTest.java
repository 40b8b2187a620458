package dev.greenloop.deadletters;

import dev.greenloop.testkit.kafka.KafkaBroker;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.message.Encoding;
import io.cloudevents.kafka.CloudEventSerializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The dead-letter topic read and replayed against the test kit's Kafka. */
class DeadLetterTopicTest {

    private String name;
    private DeadLetterTopic topic;
    private final List<CloudEvent> sent = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        KafkaBroker kafka = KafkaBroker.shared();
        name = "dead-letter-" + UUID.randomUUID();
        kafka.createTopic(name, 1);
        try (KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all", CloudEventSerializer.ENCODING_CONFIG,
                Encoding.BINARY.name()), new StringSerializer(), new CloudEventSerializer())) {
            producer.send(new ProducerRecord<>(name, "gh-1/z1", DeadLetter.failed(event("p-1"), "http://control/", 422,
                    "{\"detail\":\"prediction for an unknown zone\"}"))).get();
            producer.send(new ProducerRecord<>(name, "gh-1/z1", DeadLetter.failed(event("p-2"), "http://control/", 503,
                    "x".repeat(5000)))).get();
            producer.send(new ProducerRecord<>(name, "gh-1/z2", DeadLetter.failed(event("w-1"), "http://infer/", 503,
                    "no model"))).get();
        }
        topic = new DeadLetterTopic(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), name);
    }

    private static CloudEvent event(String id) {
        return CloudEventBuilder.v1().withId(id).withSource(URI.create("/test")).withType("dev.greenloop.prediction.v1")
                .withExtension("greenhouseid", "gh-1")
                .withData("application/json", ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8)).build();
    }

    @Test
    void everyDeadLetterIsReadWithItsReasonAndCountedByIt() {
        List<DeadLetter> all = topic.all();

        assertThat(all).extracting(d -> d.event().getId()).containsExactly("p-1", "p-2", "w-1");
        assertThat(all).extracting(DeadLetter::position).containsExactly("0:0", "0:1", "0:2");
        assertThat(all.get(0).answer()).isEqualTo("{\"detail\":\"prediction for an unknown zone\"}");
        assertThat(all.get(1).answer()).hasSize(DeadLetter.MAX_ANSWER_BYTES);
        assertThat(countByReason(all)).containsExactly(Map.entry("422 from http://control/", 1),
                Map.entry("503 from http://control/", 1), Map.entry("503 from http://infer/", 1));
    }

    @Test
    void theOverviewCountsEveryLetterAndKeepsOnlyTheNewest() {
        DeadLetterTopic.Overview two = topic.overview(2);

        assertThat(two.total()).isEqualTo(3);
        assertThat(two.byReason()).isEqualTo(countByReason(topic.all()));
        assertThat(two.newest()).extracting(DeadLetter::position).containsExactly("0:2", "0:1");
        assertThat(two.replayedUpTo()).isEmpty();
        assertThat(topic.overview(10).newest()).extracting(DeadLetter::position).containsExactly("0:2", "0:1", "0:0");
        assertThatThrownBy(() -> topic.overview(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void oneDeadLetterIsFoundByItsPositionAndAMissingOneSaysWhereTheyAre() {
        assertThat(topic.at(Position.parse("0:2")).event().getId()).isEqualTo("w-1");
        assertThatThrownBy(() -> topic.at(Position.parse("0:9"))).isInstanceOf(DeadLetterTopic.NotFound.class)
                .hasMessageContaining("offsets 0 to 2");
        assertThatThrownBy(() -> topic.at(Position.parse("4:0"))).isInstanceOf(DeadLetterTopic.NotFound.class)
                .hasMessageContaining("no partition 4");
        assertThatThrownBy(() -> Position.parse("zero:one")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PARTITION:OFFSET");
        assertThatThrownBy(() -> new DeadLetterTopic(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                KafkaBroker.shared().bootstrapServers()), "no-such-" + UUID.randomUUID()).all())
                .isInstanceOf(DeadLetterTopic.NotFound.class).hasMessageContaining("no topic");
    }

    /**
     * A reader that asks for a topic not made yet must not make it: the broker would give it its
     * default partition count, and the KafkaSink's own topic, made later, would be refused.
     */
    @Test
    void readingATopicThatDoesNotExistDoesNotCreateIt() throws Exception {
        String missing = "no-such-" + UUID.randomUUID();
        DeadLetterTopic absent = new DeadLetterTopic(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                KafkaBroker.shared().bootstrapServers()), missing);
        for (int look = 0; look < 2; look++) {
            assertThatThrownBy(absent::all).as("look %d", look).isInstanceOf(DeadLetterTopic.NotFound.class)
                    .hasMessageContaining("no topic " + missing);
        }
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers()))) {
            assertThat(admin.listTopics().names().get()).as("the broker's topics after two reads").doesNotContain(missing);
        }
    }

    @Test
    void replayAllSendsEachOriginalOnceResumingWhereARefusalStoppedIt() {
        AtomicInteger refuse = new AtomicInteger(1);
        DeadLetterTopic.Sender sender = e -> {
            if (e.getId().equals("p-2") && refuse.getAndDecrement() > 0) {
                throw new IllegalStateException("the Broker answered 503");
            }
            sent.add(e);
        };

        DeadLetterTopic.Replay first = topic.replayAll(sender);
        Map<Integer, Long> afterFirst = topic.replayedUpTo();
        DeadLetterTopic.Replay second = topic.replayAll(sender);
        DeadLetterTopic.Replay third = topic.replayAll(sender);

        assertThat(first.complete()).isFalse();
        assertThat(first.stoppedAt().position()).isEqualTo("0:1");
        assertThat(first.reason()).isEqualTo("the Broker answered 503");
        assertThat(first.left()).isEqualTo(2);
        assertThat(afterFirst).containsExactly(Map.entry(0, 1L));
        assertThat(second.complete()).isTrue();
        assertThat(second.replayed()).extracting(DeadLetterTopic.Replayed::position).containsExactly("0:1", "0:2");
        assertThat(third.replayed()).isEmpty();
        assertThat(topic.replayedUpTo()).containsExactly(Map.entry(0, 3L));
        assertThat(sent).extracting(CloudEvent::getId).containsExactly("p-1", "p-2", "w-1");
        assertThat(sent).allSatisfy(e -> assertThat(e.getExtensionNames())
                .noneMatch(n -> n.startsWith(DeadLetter.ERROR_PREFIX)).contains("greenhouseid"));
    }

    @Test
    void sinceReadsOnlyWhatCameAfterTheLastLookAndCountsWhatIsNotReplayed() throws Exception {
        DeadLetterTopic.Since first = topic.since(Map.of());
        topic.replay(List.of(Position.parse("0:0")), e -> { });
        topic.replayAll(e -> {
            if (e.getId().equals("p-2")) {
                throw new IllegalStateException("refused");
            }
        });
        try (KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                KafkaBroker.shared().bootstrapServers(), CloudEventSerializer.ENCODING_CONFIG, Encoding.BINARY.name()),
                new StringSerializer(), new CloudEventSerializer())) {
            producer.send(new ProducerRecord<>(name, "gh-1/z1", DeadLetter.failed(event("p-3"), "http://control/", 500, "boom"))).get();
        }
        DeadLetterTopic.Since second = topic.since(first.next());

        assertThat(first.letters()).extracting(d -> d.event().getId()).containsExactly("p-1", "p-2", "w-1");
        assertThat(first.next()).containsExactly(Map.entry(0, 3L));
        assertThat(first.unreplayed()).isEqualTo(3);
        assertThat(second.letters()).extracting(d -> d.event().getId()).containsExactly("p-3");
        assertThat(second.next()).containsExactly(Map.entry(0, 4L));
        // replayAll took p-1 and stopped at p-2: p-2, w-1 and p-3 wait.
        assertThat(second.unreplayed()).isEqualTo(3);
    }

    @Test
    void replayingNamedLettersSendsThoseInOrderAndCommitsNothing() {
        DeadLetterTopic.Replay replay = topic.replay(List.of(Position.parse("0:2"), Position.parse("0:0")), sent::add);

        assertThat(replay.complete()).isTrue();
        assertThat(sent).extracting(CloudEvent::getId).containsExactly("w-1", "p-1");
        assertThat(new String(sent.get(0).getData().toBytes(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"w-1\"}");
        assertThat(topic.replayedUpTo()).isEmpty();
    }

    /** The count of {@code letters} by {@link DeadLetter#reason()}, in order of reason. */
    private static Map<String, Integer> countByReason(List<DeadLetter> letters) {
        Map<String, Integer> byReason = new TreeMap<>();
        letters.forEach(d -> byReason.merge(d.reason(), 1, Integer::sum));
        return byReason;
    }
}
