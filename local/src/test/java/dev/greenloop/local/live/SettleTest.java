package dev.greenloop.local.live;

import dev.greenloop.local.CommitStartOnAssign;
import dev.greenloop.local.Settle;
import dev.greenloop.testkit.kafka.KafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Against the test kit's real Kafka broker: the loop counts as settled only when every taking
 * part group has committed every record of its topics, and a record that arrives after a group
 * caught up unsettles it again.
 */
class SettleTest {

    @Test
    void settledOnlyWhenEveryGroupHasCommittedEverything() throws Exception {
        KafkaBroker kafka = KafkaBroker.shared();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String topic = topic(kafka, "settle-" + run);
        String prefix = "settle-test-" + run + "-";
        try (KafkaProducer<String, String> producer = producer(kafka);
             KafkaConsumer<String, String> fast = consumer(kafka, prefix + "fast", topic);
             KafkaConsumer<String, String> slow = consumer(kafka, prefix + "slow", topic);
             Settle settle = new Settle(kafka.bootstrapServers(), (String g) -> g.startsWith(prefix))) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get();
            }
            // Both groups exist with a commit on the topic (one record read), nine records to go.
            for (KafkaConsumer<String, String> c : List.of(fast, slow)) {
                readAndCommit(c, 1);
            }
            assertThat(settle.lag()).isEqualTo(2 * 9);

            readAndCommit(fast, 9);
            assertThat(settle.lag()).as("the slow group has not read its nine").isEqualTo(9);
            assertThat(settle.await(Duration.ofMillis(300), Duration.ofMillis(20)).settled()).isFalse();

            readAndCommit(slow, 9);
            Settle.Outcome outcome = settle.await(Duration.ofSeconds(10), Duration.ofMillis(20));
            assertThat(outcome.settled()).isTrue();
            assertThat(outcome.lag()).isZero();

            producer.send(new ProducerRecord<>(topic, "late", "v")).get();
            assertThat(settle.lag()).as("one new record, unread by both").isEqualTo(2);
        }
    }

    @Test
    void aGroupThatHasReadNothingYetIsWaitedOnOnceItCommittedWhereItStarts() throws Exception {
        KafkaBroker kafka = KafkaBroker.shared();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String topic = topic(kafka, "settle-start-" + run);
        String prefix = "settle-test-" + run + "-";
        try (KafkaProducer<String, String> producer = producer(kafka);
             KafkaConsumer<String, String> plain = unsubscribed(kafka, prefix + "plain");
             KafkaConsumer<String, String> starting = unsubscribed(kafka, prefix + "starting")) {
            plain.subscribe(List.of(topic));
            starting.subscribe(List.of(topic), new CommitStartOnAssign(starting));
            // Both groups join and are given the (empty) topic's partitions; neither reads a record.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while ((plain.assignment().size() < 2 || starting.assignment().size() < 2) && System.nanoTime() < deadline) {
                assertThat(plain.poll(Duration.ofMillis(100)).count()).isZero();
                assertThat(starting.poll(Duration.ofMillis(100)).count()).isZero();
            }
            assertThat(starting.assignment()).hasSize(2);

            producer.send(new ProducerRecord<>(topic, "k", "v")).get();
            try (Settle onlyPlain = new Settle(kafka.bootstrapServers(), (String g) -> g.equals(prefix + "plain"));
                 Settle onlyStarting = new Settle(kafka.bootstrapServers(), (String g) -> g.equals(prefix + "starting"))) {
                assertThat(onlyPlain.lag()).as("a group with no commit is not known to read the topic").isZero();
                assertThat(onlyStarting.lag()).as("the group that committed where it starts has the record to read")
                        .isEqualTo(1);
                readAndCommit(starting, 1);
                assertThat(onlyStarting.await(Duration.ofSeconds(10), Duration.ofMillis(20)).settled()).isTrue();
            }
        }
    }

    private static String topic(KafkaBroker kafka, String name) {
        kafka.createTopic(name, 2);
        return name;
    }

    private static KafkaProducer<String, String> producer(KafkaBroker kafka) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> unsubscribed(KafkaBroker kafka, String group) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new StringDeserializer());
    }

    private static KafkaConsumer<String, String> consumer(KafkaBroker kafka, String group, String topic) {
        KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1),
                new StringDeserializer(), new StringDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }

    /** Reads {@code n} records one poll at a time, committing after each. */
    private static void readAndCommit(KafkaConsumer<String, String> c, int n) {
        int read = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (read < n && System.nanoTime() < deadline) {
            read += c.poll(Duration.ofMillis(200)).count();
            c.commitSync();
        }
        assertThat(read).isEqualTo(n);
    }
}
