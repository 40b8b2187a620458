package dev.greenloop.events.kafka;

import dev.greenloop.events.TestEvents;
import dev.greenloop.testkit.kafka.KafkaBroker;
import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link KafkaSecurity} against a real broker with a SASL_SSL (SCRAM-SHA-512) listener: the
 * event producer and consumer settings work with the right user and CA, and a wrong password or
 * an untrusted certificate fails the send.
 */
class SecuredKafkaTest {

    private static final String PASSWORD = "s3cret\"with\\quotes";
    private static KafkaBroker broker;

    @BeforeAll
    static void start() {
        broker = KafkaBroker.startSecured(Map.of("greenloop-ingest", PASSWORD));
        broker.createTopic("secured-events", 1);
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void eventsGoThroughWithTheRightUserAndAuthority() throws Exception {
        KafkaSecurity security = KafkaSecurity.saslSsl(KafkaBroker.SASL_MECHANISM, "greenloop-ingest", PASSWORD,
                broker.certificate().certificatePem());
        CloudEvent event = TestEvents.cloudEvent(TestEvents.readingsBatch());

        try (KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(
                KafkaEvents.producerConfig(broker.securedBootstrapServers(), security))) {
            producer.send(KafkaEvents.record("secured-events", event)).get(30, TimeUnit.SECONDS);
        }
        List<ConsumerRecord<String, CloudEvent>> read = new ArrayList<>();
        try (KafkaConsumer<String, CloudEvent> consumer = new KafkaConsumer<>(
                KafkaEvents.consumerConfig(broker.securedBootstrapServers(), "secured-test", security))) {
            consumer.subscribe(List.of("secured-events"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (read.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(read::add);
            }
        }
        assertThat(read).extracting(r -> r.value().getId()).containsExactly(event.getId());
    }

    @Test
    void aWrongPasswordIsRefusedByTheBroker() {
        KafkaSecurity security = KafkaSecurity.saslSsl(KafkaBroker.SASL_MECHANISM, "greenloop-ingest", "guess",
                broker.certificate().certificatePem());

        assertThatThrownBy(() -> send(security)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(SaslAuthenticationException.class);
    }

    @Test
    void aBrokerWhoseCertificateIsNotTrustedIsRefused() {
        KafkaSecurity security = KafkaSecurity.saslSsl(KafkaBroker.SASL_MECHANISM, "greenloop-ingest", PASSWORD, null);

        assertThatThrownBy(() -> send(security)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(SslAuthenticationException.class);
    }

    private static void send(KafkaSecurity security) throws Exception {
        Map<String, Object> config = KafkaEvents.producerConfig(broker.securedBootstrapServers(), security);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
        try (KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(config)) {
            producer.send(KafkaEvents.record("secured-events", TestEvents.cloudEvent(TestEvents.readingsBatch())))
                    .get(30, TimeUnit.SECONDS);
        }
    }
}
