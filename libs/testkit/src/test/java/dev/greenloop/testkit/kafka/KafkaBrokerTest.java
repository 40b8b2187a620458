package dev.greenloop.testkit.kafka;

import dev.greenloop.testkit.junit.KafkaExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(KafkaExtension.class)
class KafkaBrokerTest {

    @Test
    void thousandRecordsProducedWithAcksAllComeBackInOrderPerKey(KafkaBroker kafka) throws Exception {
        String topic = "testkit-roundtrip";
        kafka.createTopic(topic, 3);

        List<Future<RecordMetadata>> acks = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 1000; i++) {
                acks.add(producer.send(new ProducerRecord<>(topic, "key-" + (i % 7), "value-" + i)));
            }
            producer.flush();
            for (Future<RecordMetadata> ack : acks) {
                assertThat(ack.get().hasOffset()).isTrue();
            }
        }

        Map<String, List<Integer>> byKey = new HashMap<>();
        int consumed = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "testkit-roundtrip",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (consumed < 1000 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    byKey.computeIfAbsent(record.key(), k -> new ArrayList<>())
                            .add(Integer.parseInt(record.value().substring("value-".length())));
                    consumed++;
                }
            }
        }

        assertThat(consumed).isEqualTo(1000);
        assertThat(byKey).hasSize(7);
        byKey.values().forEach(values -> assertThat(values).isSorted());
        assertThat(byKey.values().stream().mapToInt(List::size).sum()).isEqualTo(1000);
    }

    @Test
    void restartedBrokerKeepsItsPortAndData() throws Exception {
        try (KafkaBroker broker = KafkaBroker.start()) {
            String topic = "testkit-restart";
            broker.createTopic(topic, 1);
            try (KafkaProducer<String, String> producer = producer(broker)) {
                producer.send(new ProducerRecord<>(topic, "k", "before")).get();
            }

            broker.restart();

            try (KafkaProducer<String, String> producer = producer(broker)) {
                producer.send(new ProducerRecord<>(topic, "k", "after")).get();
            }
            assertThat(readAll(broker, topic, 2)).containsExactly("before", "after");
        }
    }

    private static KafkaProducer<String, String> producer(KafkaBroker broker) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
    }

    private static List<String> readAll(KafkaBroker broker, String topic, int expected) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, topic + "-reader",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(300)).forEach(r -> values.add(r.value()));
            }
        }
        return values;
    }
}
