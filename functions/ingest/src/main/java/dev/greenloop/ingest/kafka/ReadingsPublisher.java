package dev.greenloop.ingest.kafka;

import dev.greenloop.clients.Settings;
import dev.greenloop.events.kafka.KafkaEvents;
import dev.greenloop.events.kafka.KafkaSecurity;
import dev.greenloop.ingest.IngestConfig;
import io.cloudevents.CloudEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The one Kafka producer of an ingest instance: idempotent, acks from all in-sync replicas,
 * compressed and batched. {@link #publish} completes only when Kafka acknowledged every record,
 * which is when ingest may say "accepted". Thread-safe (KafkaProducer is).
 */
@ApplicationScoped
public class ReadingsPublisher {

    private final KafkaProducer<String, CloudEvent> producer;
    private final Admin admin;

    public ReadingsPublisher(IngestConfig config) {
        IngestConfig.Kafka kafka = config.kafka();
        KafkaSecurity security = KafkaSecurity.fromSettings(Settings.fromConfig());
        Map<String, Object> props = KafkaEvents.producerConfig(kafka.bootstrapServers(), security);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "greenloop-ingest");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, kafka.compression());
        props.put(ProducerConfig.LINGER_MS_CONFIG, kafka.lingerMs());
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, kafka.batchSize());
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) kafka.maxBlock().toMillis());
        // A record not acknowledged within the request's wait may still be delivered a little later;
        // the client resends on 503 and consumers drop the copy by its stable ids.
        int requestTimeout = (int) Math.max(1_000, kafka.ackTimeout().toMillis());
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeout);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, requestTimeout + kafka.lingerMs() + 1_000);
        this.producer = new KafkaProducer<>(props);
        Map<String, Object> adminProps = security.applyTo(new HashMap<>());
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        adminProps.put(AdminClientConfig.CLIENT_ID_CONFIG, "greenloop-ingest-health");
        adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000);
        adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
        this.admin = Admin.create(adminProps);
    }

    /**
     * Sends every record and completes when all are acknowledged, or exceptionally with the first
     * failure. May block for up to {@code max-block} when Kafka is unreachable (metadata) or the
     * buffer is full, so call it from a worker thread.
     */
    public CompletableFuture<List<RecordMetadata>> publish(List<ProducerRecord<String, CloudEvent>> records) {
        List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>(records.size());
        for (ProducerRecord<String, CloudEvent> record : records) {
            CompletableFuture<RecordMetadata> ack = new CompletableFuture<>();
            try {
                producer.send(record, (metadata, error) -> {
                    if (error != null) {
                        ack.completeExceptionally(error);
                    } else {
                        ack.complete(metadata);
                    }
                });
            } catch (RuntimeException e) {
                ack.completeExceptionally(e);
            }
            acks.add(ack);
        }
        return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                .thenApply(done -> acks.stream().map(CompletableFuture::join).toList());
    }

    /** Whether a broker of the cluster answers within {@code timeout}; for readiness. */
    public boolean clusterReachable(Duration timeout) {
        try {
            return !admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).isEmpty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    @PreDestroy
    void close() {
        producer.close(Duration.ofSeconds(10));
        admin.close(Duration.ofSeconds(2));
    }
}
