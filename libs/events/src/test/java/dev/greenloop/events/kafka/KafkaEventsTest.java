package dev.greenloop.events.kafka;

import dev.greenloop.events.Events;
import dev.greenloop.events.TestEvents;
import dev.greenloop.events.Topics;
import dev.greenloop.events.payload.ReadingsBatch;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.cloudevents.kafka.CloudEventSerializer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Binary-mode encoding without a broker; the test kit's fixtures test it against a real one. */
class KafkaEventsTest {

    @Test
    void recordIsKeyedByZoneAndEncodedInBinaryMode() {
        CloudEvent event = TestEvents.cloudEvent(TestEvents.readingsBatch());
        ProducerRecord<String, CloudEvent> record = KafkaEvents.record(Topics.READINGS, event);

        RecordHeaders headers = new RecordHeaders();
        byte[] value;
        try (CloudEventSerializer serializer = new CloudEventSerializer()) {
            serializer.configure(KafkaEvents.producerConfig("unused:9092"), false);
            value = serializer.serialize(Topics.READINGS, headers, event);
        }

        assertThat(record.key()).isEqualTo(TestEvents.GREENHOUSE + "/" + TestEvents.ZONE);
        Map<String, String> ce = new HashMap<>();
        for (Header h : headers) {
            ce.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
        }
        assertThat(ce).containsEntry("ce_type", event.getType())
                .containsEntry("ce_id", event.getId())
                .containsEntry("ce_greenhouseid", TestEvents.GREENHOUSE)
                .containsEntry("ce_zoneid", TestEvents.ZONE)
                .containsEntry("content-type", "application/json");
        // Binary mode: the value is the payload itself, not a structured envelope.
        assertThat(new String(value, StandardCharsets.UTF_8)).startsWith("{\"greenhouseId\"");

        try (CloudEventDeserializer deserializer = new CloudEventDeserializer()) {
            CloudEvent back = deserializer.deserialize(Topics.READINGS, headers, value);
            assertThat(Events.payload(back, ReadingsBatch.class)).isEqualTo(TestEvents.readingsBatch());
            assertThat(back.getExtension("traceparent")).isEqualTo(event.getExtension("traceparent"));
        }
    }

    @Test
    void greenhouseWideEventsAreKeyedByGreenhouse() {
        CloudEvent event = TestEvents.cloudEvent(TestEvents.modelPromoted());

        assertThat(KafkaEvents.key(event)).isEqualTo(TestEvents.GREENHOUSE);
    }

    @Test
    void producerConfigIsDurable() {
        Map<String, Object> config = KafkaEvents.producerConfig("localhost:9092");

        assertThat(config).containsEntry("acks", "all").containsEntry("enable.idempotence", true);
    }
}
