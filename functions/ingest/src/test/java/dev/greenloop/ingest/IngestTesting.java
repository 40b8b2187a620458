package dev.greenloop.ingest;

import dev.greenloop.testkit.kafka.KafkaBroker;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventDeserializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the ingest tests share: the test device, request bodies, reading the topics back. */
final class IngestTesting {

    static final String TOKEN = "glt_test-device-token";
    static final String ADMIN_TOKEN = "test-admin-token";
    static final String GREENHOUSE = "gh-test";
    static final String ZONE = "zone-a";
    static final String DEVICE = "climate-1";

    static {
        io.restassured.RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
    }

    private IngestTesting() {
    }

    /** A time a little in the past, so that it is valid now. */
    static String recent(int minutesAgo) {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(minutesAgo)).toString();
    }

    static String reading(String sensor, Object value, String unit, String timestamp) {
        return "{\"sensor\":\"" + sensor + "\",\"value\":" + value + ",\"unit\":\"" + unit
                + "\",\"timestamp\":\"" + timestamp + "\"}";
    }

    static String batchFor(String zone, String device, String... readings) {
        return "{\"zoneId\":\"" + zone + "\",\"deviceId\":\"" + device + "\",\"readings\":["
                + String.join(",", readings) + "]}";
    }

    static String batch(String... readings) {
        return batchFor(ZONE, DEVICE, readings);
    }

    /** Records of {@code topic} whose event id is one of {@code ids}, waiting up to 30 s for all. */
    static List<ConsumerRecord<String, CloudEvent>> records(String topic, Collection<String> ids) {
        return records(KafkaBroker.shared(), topic, ids);
    }

    /** Like {@link #records(String, Collection)} on {@code broker}. */
    static List<ConsumerRecord<String, CloudEvent>> records(KafkaBroker broker, String topic, Collection<String> ids) {
        Set<String> wanted = Set.copyOf(ids);
        List<ConsumerRecord<String, CloudEvent>> found = new ArrayList<>();
        try (KafkaConsumer<String, CloudEvent> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new CloudEventDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (found.stream().map(r -> r.value().getId()).distinct().count() < wanted.size()
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, CloudEvent> record : consumer.poll(Duration.ofMillis(300))) {
                    if (wanted.contains(record.value().getId())) {
                        found.add(record);
                    }
                }
            }
        }
        return found;
    }
}
