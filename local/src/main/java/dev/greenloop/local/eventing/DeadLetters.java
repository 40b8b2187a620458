package dev.greenloop.local.eventing;

import dev.greenloop.deadletters.DeadLetter;
import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.net.URI;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The dead-letter sink (a KafkaSink): a failed event goes to its topic with Knative's
 * {@code knativeerrordest}, {@code knativeerrorcode} and {@code knativeerrordata} (the answer's
 * body, at most 1 KiB, base64), and {@link #send} returns only once Kafka has acknowledged it, so
 * the consumer that delivered the event commits its offset after that and never before.
 */
public final class DeadLetters {

    private final Producer<String, CloudEvent> producer;
    private final String topic;
    private final AtomicLong sent = new AtomicLong();

    public DeadLetters(Producer<String, CloudEvent> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    public String topic() {
        return topic;
    }

    public long sent() {
        return sent.get();
    }

    /**
     * Sends {@code event} as failed at {@code target} with {@code status} and {@code body}.
     *
     * @throws IllegalStateException when Kafka did not acknowledge it (the delivery is not done)
     */
    public void send(CloudEvent event, String key, URI target, int status, String body) throws InterruptedException {
        CloudEvent dead = DeadLetter.failed(event, target.toString(), status, body);
        try {
            producer.send(new ProducerRecord<>(topic, key, dead)).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the dead-letter topic " + topic + " did not take " + event.getId() + ": "
                    + e.getCause(), e.getCause());
        }
        sent.incrementAndGet();
        System.err.printf(Locale.ROOT, "dispatcher: %s %s dead-lettered after %s answered %d: %s%n", event.getType(),
                event.getId(), target, status, body.length() > 200 ? body.substring(0, 200) : body);
    }
}
