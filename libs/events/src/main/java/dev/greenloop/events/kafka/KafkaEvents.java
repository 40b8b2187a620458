package dev.greenloop.events.kafka;

import dev.greenloop.events.Extensions;
import dev.greenloop.events.Topics;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.message.Encoding;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.cloudevents.kafka.CloudEventSerializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * CloudEvents on Kafka in binary mode: attributes in {@code ce_*} headers, the payload as the
 * record value, the {@code greenhouseId/zoneId} key so that one zone's events stay in order.
 */
public final class KafkaEvents {

    private KafkaEvents() {
    }

    /**
     * Producer settings for events that must not be lost or duplicated by retries: acks from
     * every in-sync replica, idempotence on, compressed batches.
     */
    public static Map<String, Object> producerConfig(String bootstrapServers) {
        return producerConfig(bootstrapServers, KafkaSecurity.none());
    }

    /** {@link #producerConfig(String)} authenticating and trusting as {@code security} says. */
    public static Map<String, Object> producerConfig(String bootstrapServers, KafkaSecurity security) {
        Map<String, Object> config = security.applyTo(new HashMap<>());
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, CloudEventSerializer.class);
        config.put(CloudEventSerializer.ENCODING_CONFIG, Encoding.BINARY.name());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        return config;
    }

    /** Consumer settings for reading events; offsets are committed by the caller after its effect is stored. */
    public static Map<String, Object> consumerConfig(String bootstrapServers, String groupId) {
        return consumerConfig(bootstrapServers, groupId, KafkaSecurity.none());
    }

    /** {@link #consumerConfig(String, String)} authenticating and trusting as {@code security} says. */
    public static Map<String, Object> consumerConfig(String bootstrapServers, String groupId, KafkaSecurity security) {
        Map<String, Object> config = security.applyTo(new HashMap<>());
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, CloudEventDeserializer.class);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return config;
    }

    /** A record of {@code event} keyed by its {@code greenhouseid}/{@code zoneid} extensions. */
    public static ProducerRecord<String, CloudEvent> record(String topic, CloudEvent event) {
        return new ProducerRecord<>(topic, key(event), event);
    }

    /** {@code greenhouseId/zoneId}, or {@code greenhouseId} for greenhouse-wide events. */
    public static String key(CloudEvent event) {
        Object greenhouse = Objects.requireNonNull(event.getExtension(Extensions.GREENHOUSE_ID),
                "event " + event.getId() + " has no greenhouseid extension");
        Object zone = event.getExtension(Extensions.ZONE_ID);
        return zone == null ? greenhouse.toString() : Topics.zoneKey(greenhouse.toString(), zone.toString());
    }
}
