package dev.greenloop.local;

import dev.greenloop.events.EventType;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.ControlCommand;
import dev.greenloop.events.payload.ModelPromoted;
import dev.greenloop.events.payload.Prediction;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventDeserializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What happened, for the report and the end-to-end test: the Broker's predictions, promotions and
 * training outcomes, the commands on their topic, and what reached the dead-letter topic.
 */
public final class Tap implements AutoCloseable {

    public record Seen<T>(Instant at, String eventId, T payload) {
    }

    private final List<Seen<Prediction>> predictions = Collections.synchronizedList(new ArrayList<>());
    private final List<Seen<ModelPromoted>> promotions = Collections.synchronizedList(new ArrayList<>());
    private final List<Seen<String>> trainingOutcomes = Collections.synchronizedList(new ArrayList<>());
    private final List<Seen<ControlCommand>> commands = Collections.synchronizedList(new ArrayList<>());
    private final List<Seen<String>> deadLetters = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    public Tap(String bootstrap, String brokerTopic, String commandTopic, String deadLetterTopic) {
        thread = new Thread(() -> {
            Map<String, Object> c = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.GROUP_ID_CONFIG, "demo-tap", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            try (KafkaConsumer<String, CloudEvent> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                    new CloudEventDeserializer())) {
                consumer.subscribe(List.of(brokerTopic, commandTopic, deadLetterTopic));
                while (running.get()) {
                    for (ConsumerRecord<String, CloudEvent> r : consumer.poll(Duration.ofMillis(200))) {
                        see(r.topic().equals(deadLetterTopic), r.value());
                    }
                }
            } catch (org.apache.kafka.common.errors.InterruptException e) {
                // closing
            }
        }, "tap");
        thread.setDaemon(true);
        thread.start();
    }

    /** Seen at the event's own time (the sender's clock: simulated time in the live phase), else when read. */
    private void see(boolean dead, CloudEvent e) {
        Instant now = e.getTime() != null ? e.getTime().toInstant() : Instant.now();
        byte[] data = e.getData() == null ? new byte[0] : e.getData().toBytes();
        if (dead) {
            deadLetters.add(new Seen<>(now, e.getId(), e.getType() + " " + e.getExtension("knativeerrorcode")));
            return;
        }
        switch (e.getType()) {
            case EventTypes.PREDICTION -> {
                Prediction p = PayloadCodec.read(EventType.PREDICTION, data);
                if (!p.shadow()) {
                    predictions.add(new Seen<>(now, e.getId(), p));
                }
            }
            case EventTypes.MODEL_PROMOTED -> promotions.add(new Seen<>(now, e.getId(), PayloadCodec.read(EventType.MODEL_PROMOTED, data)));
            case EventTypes.TRAINING_COMPLETED, EventTypes.TRAINING_FAILED ->
                    trainingOutcomes.add(new Seen<>(now, e.getId(), e.getType() + " " + new String(data, StandardCharsets.UTF_8)));
            case EventTypes.CONTROL_COMMAND -> commands.add(new Seen<>(now, e.getId(), PayloadCodec.read(EventType.CONTROL_COMMAND, data)));
            default -> {
            }
        }
    }

    public List<Seen<Prediction>> predictions() {
        synchronized (predictions) {
            return List.copyOf(predictions);
        }
    }

    public List<Seen<ModelPromoted>> promotions() {
        synchronized (promotions) {
            return List.copyOf(promotions);
        }
    }

    public List<Seen<String>> trainingOutcomes() {
        synchronized (trainingOutcomes) {
            return List.copyOf(trainingOutcomes);
        }
    }

    public List<Seen<ControlCommand>> commands() {
        synchronized (commands) {
            return List.copyOf(commands);
        }
    }

    public List<Seen<String>> deadLetters() {
        synchronized (deadLetters) {
            return List.copyOf(deadLetters);
        }
    }

    @Override
    public void close() {
        running.set(false);
        try {
            thread.join(3000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
