package dev.greenloop.local.eventing;

import dev.greenloop.testkit.kafka.KafkaBroker;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.message.Encoding;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.cloudevents.kafka.CloudEventSerializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Against the test kit's real Kafka broker: a dead letter is acknowledged before the delivery
 * counts as done, and a record that was neither delivered nor dead-lettered is read again.
 */
class DeadLettersAndOffsetsTest {

    private static KafkaProducer<String, CloudEvent> producer(String bootstrap, Map<String, Object> extra) {
        Map<String, Object> p = new HashMap<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", CloudEventSerializer.ENCODING_CONFIG, Encoding.BINARY.name()));
        p.putAll(extra);
        return new KafkaProducer<>(p, new StringSerializer(), new CloudEventSerializer());
    }

    private static CloudEvent event(String id) {
        return CloudEventBuilder.v1().withId(id).withSource(URI.create("/test")).withType("dev.greenloop.test")
                .withData("application/json", "{}".getBytes(StandardCharsets.UTF_8)).build();
    }

    @Test
    void aDeadLetterCarriesTheReasonAndIsAcknowledged() throws Exception {
        KafkaBroker kafka = KafkaBroker.shared();
        String topic = "dead-letters-" + UUID.randomUUID();
        kafka.createTopic(topic, 1);
        try (KafkaProducer<String, CloudEvent> producer = producer(kafka.bootstrapServers(), Map.of())) {
            DeadLetters deadLetters = new DeadLetters(producer, topic);
            deadLetters.send(event("e-dead"), "gh-1/z1", URI.create("http://control/"), 422, "x".repeat(2000));
            assertThat(deadLetters.sent()).isEqualTo(1);
        }
        List<ConsumerRecord<String, CloudEvent>> read = readAll(kafka.bootstrapServers(), topic, "reader-" + UUID.randomUUID(), 1);
        CloudEvent dead = read.get(0).value();
        assertThat(dead.getId()).isEqualTo("e-dead");
        assertThat(dead.getExtension("knativeerrorcode")).isEqualTo("422");
        assertThat(dead.getExtension("knativeerrordest")).isEqualTo("http://control/");
        assertThat(Base64.getDecoder().decode(dead.getExtension("knativeerrordata").toString())).hasSize(1024);
    }

    @Test
    void aDeadLetterKafkaDoesNotTakeFailsTheDelivery() {
        int closed = dev.greenloop.testkit.FreePorts.next();
        try (KafkaProducer<String, CloudEvent> producer = producer("127.0.0.1:" + closed,
                Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 1500,
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1000, ProducerConfig.LINGER_MS_CONFIG, 0))) {
            DeadLetters deadLetters = new DeadLetters(producer, "dead-letters");
            assertThatThrownBy(() -> deadLetters.send(event("e-lost"), "k", URI.create("http://x/"), 500, "down"))
                    .hasMessageContaining("did not take e-lost");
            assertThat(deadLetters.sent()).isZero();
        }
    }

    /**
     * The handler fails on one record the first time (as when its dead letter was not
     * acknowledged): the batch is not committed, the supervisor starts the consumer again, and
     * every record is handled, the failed one again; the group's offset ends past all of them.
     */
    @Test
    void aRecordNeitherDeliveredNorDeadLetteredIsReadAgain() throws Exception {
        KafkaBroker kafka = KafkaBroker.shared();
        String topic = "trigger-" + UUID.randomUUID();
        String group = "group-" + UUID.randomUUID();
        kafka.createTopic(topic, 1);
        try (KafkaProducer<String, CloudEvent> producer = producer(kafka.bootstrapServers(), Map.of())) {
            for (String id : List.of("a", "b", "c")) {
                producer.send(new ProducerRecord<>(topic, "k", event(id))).get();
            }
        }
        List<String> handled = new CopyOnWriteArrayList<>();
        Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        AtomicBoolean running = new AtomicBoolean(true);
        Supervisor supervisor = new Supervisor(running::get, Duration.ofMillis(50));

        supervisor.start("trigger", () -> TopicConsumer.run(kafka.bootstrapServers(), topic, group, true, running::get, r -> {
            handled.add(r.value().getId());
            if (r.value().getId().equals("b") && failedOnce.add("b")) {
                throw new IllegalStateException("the dead-letter topic did not take b");
            }
        }));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!handled.contains("c") || committed(kafka.bootstrapServers(), topic, group) < 3) {
            assertThat(System.nanoTime()).as("handled %s", handled).isLessThan(deadline);
            Thread.sleep(100);
        }
        running.set(false);
        supervisor.join(Duration.ofSeconds(5));

        assertThat(supervisor.restarts()).isEqualTo(1);
        assertThat(handled).containsSubsequence("a", "b", "a", "b", "c");
        assertThat(handled.stream().filter("b"::equals)).hasSize(2);
    }

    private static long committed(String bootstrap, String topic, String group) {
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            OffsetAndMetadata o = offsets.get(new TopicPartition(topic, 0));
            return o == null ? 0 : o.offset();
        } catch (Exception e) {
            return 0;
        }
    }

    private static List<ConsumerRecord<String, CloudEvent>> readAll(String bootstrap, String topic, String group, int n) {
        Map<String, Object> c = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, CloudEvent>> out = new ArrayList<>();
        try (KafkaConsumer<String, CloudEvent> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new CloudEventDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < n && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        assertThat(out).hasSize(n);
        return out;
    }
}
