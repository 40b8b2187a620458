package dev.greenloop.local;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;

/**
 * Commits where a consumer group starts reading, as soon as it is given partitions it has never
 * committed on. {@link Settle} learns which topics a group reads from its commits; a group that
 * had read nothing yet was not waited on, so simulated time could run past a command or an event
 * while its consumer had not caught up (a command then expired before the gateway read it).
 */
public final class CommitStartOnAssign implements ConsumerRebalanceListener {

    private final Consumer<?, ?> consumer;

    public CommitStartOnAssign(Consumer<?, ?> consumer) {
        this.consumer = consumer;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions));
        Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
        for (TopicPartition tp : partitions) {
            if (committed.get(tp) == null) {
                // The position after the group's reset policy (earliest here): nothing is skipped.
                start.put(tp, new OffsetAndMetadata(consumer.position(tp)));
            }
        }
        if (!start.isEmpty()) {
            consumer.commitSync(start);
        }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        // What was handled is committed by the loop that handled it.
    }
}
