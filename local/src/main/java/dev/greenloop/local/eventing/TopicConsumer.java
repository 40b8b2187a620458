package dev.greenloop.local.eventing;

import dev.greenloop.local.CommitStartOnAssign;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventDeserializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * A Trigger's or a Source's consumer: reads a topic as its consumer group and hands each record
 * to a handler, ordered (one record per partition at a time, as a KafkaSource with
 * {@code ordering: ordered}) or not (a batch at once). Offsets are committed only after every
 * record of the batch was handled, which includes its dead letter being acknowledged; a handler
 * that throws ends the loop without committing, so the {@link Supervisor} starts it again and the
 * batch is delivered again (at least once, as Knative).
 */
public final class TopicConsumer {

    /** Handles one record: delivered, or dead-lettered and acknowledged, before it returns. */
    public interface Handler {
        void handle(ConsumerRecord<String, CloudEvent> record) throws Exception;
    }

    private TopicConsumer() {
    }

    public static void run(String bootstrap, String topic, String group, boolean ordered, BooleanSupplier running,
                           Handler handler) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 64);
        c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 30 * 60 * 1000);
        ExecutorService pool = Executors.newFixedThreadPool(ordered ? 6 : 16);
        try (KafkaConsumer<String, CloudEvent> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                new CloudEventDeserializer())) {
            consumer.subscribe(List.of(topic), new CommitStartOnAssign(consumer));
            while (running.getAsBoolean()) {
                ConsumerRecords<String, CloudEvent> records = consumer.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    continue;
                }
                List<Future<?>> work = new ArrayList<>();
                if (ordered) {
                    for (TopicPartition partition : records.partitions()) {
                        List<ConsumerRecord<String, CloudEvent>> inOrder = records.records(partition);
                        work.add(pool.submit(() -> {
                            for (ConsumerRecord<String, CloudEvent> r : inOrder) {
                                handler.handle(r);
                            }
                            return null;
                        }));
                    }
                } else {
                    for (ConsumerRecord<String, CloudEvent> r : records) {
                        work.add(pool.submit(() -> {
                            handler.handle(r);
                            return null;
                        }));
                    }
                }
                for (Future<?> f : work) {
                    try {
                        f.get();
                    } catch (ExecutionException e) {
                        throw new IllegalStateException("a record of " + topic + " was neither delivered nor dead-lettered;"
                                + " its batch is read again", e.getCause());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                consumer.commitSync();
            }
        } catch (org.apache.kafka.common.errors.InterruptException | org.apache.kafka.common.errors.WakeupException e) {
            // closing
        } finally {
            pool.shutdownNow();
        }
    }
}
