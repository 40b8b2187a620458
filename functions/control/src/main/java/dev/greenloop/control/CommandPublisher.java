package dev.greenloop.control;

import dev.greenloop.clients.Settings;
import dev.greenloop.events.kafka.KafkaEvents;
import dev.greenloop.events.kafka.KafkaSecurity;
import io.cloudevents.CloudEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Puts signed commands on {@code greenhouse.commands} (binary-mode CloudEvents keyed
 * {@code greenhouseId/zoneId}, so a zone's commands stay in order), waiting for the broker's
 * acknowledgement from all in-sync replicas. One idempotent producer, shared; thread-safe.
 */
@ApplicationScoped
public class CommandPublisher {

    private final Producer<String, CloudEvent> producer;
    private final String topic;
    private final Duration timeout;

    public CommandPublisher(ControlConfig config) {
        Map<String, Object> settings = KafkaEvents.producerConfig(config.kafka().bootstrapServers(),
                KafkaSecurity.fromSettings(Settings.fromConfig()));
        // Fail a send within the configured time rather than Kafka's default two minutes.
        int timeoutMs = (int) config.kafka().sendTimeout().toMillis();
        settings.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Math.max(timeoutMs, 5_000 + 1_000));
        settings.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        settings.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        settings.put(ProducerConfig.CLIENT_ID_CONFIG, "greenloop-control");
        this.producer = new KafkaProducer<>(settings);
        this.topic = config.kafka().topic();
        this.timeout = config.kafka().sendTimeout();
    }

    /** Sends {@code command} and waits for the broker; a failure is a {@code DEPENDENCY_FAILED} (retried). */
    public void publish(CloudEvent command) {
        try {
            producer.send(KafkaEvents.record(topic, command)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControlException(ControlException.Kind.DEPENDENCY_FAILED, "interrupted while sending command "
                    + command.getId(), e);
        } catch (ExecutionException | TimeoutException | org.apache.kafka.common.KafkaException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new ControlException(ControlException.Kind.DEPENDENCY_FAILED, "Kafka did not take command "
                    + command.getId() + " within " + timeout.toSeconds() + " s: " + cause, cause);
        }
    }

    public String topic() {
        return topic;
    }

    @PreDestroy
    void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
