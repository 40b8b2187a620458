package dev.greenloop.preprocess.stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.events.EventType;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.ReadingsBatch;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventMapping;

/**
 * The streaming entry point: {@code dev.greenloop.sensor.readings.v1} delivered by the
 * KafkaSource (ordered per partition). Answers 204 once every window the event closed is in the
 * Broker; 400 for an invalid event (it goes to the dead-letter sink with the reason); 503 when
 * MongoDB or the Broker failed (Knative redelivers).
 */
public class ReadingsHandler {

    private final StreamProcessor processor;

    public ReadingsHandler(StreamProcessor processor) {
        this.processor = processor;
    }

    @Funq("readings")
    @CloudEventMapping(trigger = EventTypes.SENSOR_READINGS)
    public void readings(CloudEvent<JsonNode> event) {
        ReadingsBatch batch = PayloadCodec.bind(EventType.SENSOR_READINGS, event.data());
        processor.process(event.id(), event.extensions(), batch);
    }
}
