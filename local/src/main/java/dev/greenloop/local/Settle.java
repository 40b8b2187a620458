package dev.greenloop.local;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * When the loop has settled: every consumer group on the cluster (each Trigger and Source of the
 * dispatcher, the actuator gateways) has committed every record of the topics it reads, and
 * nothing new arrived meanwhile. A record's consumer commits only after its work is done,
 * replies and commands included, so a settled cluster has no event in flight: the moment to move
 * simulated time on.
 *
 * <p>Checked as end offsets, then committed offsets, then end offsets again: settled when the
 * commits reach the first ends and the second ends equal the first (a reply produced by work that
 * was still running at the first look shows in the second).
 */
public final class Settle implements AutoCloseable {

    /** How a wait ended: settled, or the time ran out with {@code lag} records still unread (-1: Kafka did not answer). */
    public record Outcome(boolean settled, long lag, Duration waited) {
    }

    private final Admin admin;
    private final java.util.function.Predicate<String> takesPart;
    private static final Duration REFRESH = Duration.ofSeconds(5);
    private Set<String> groups = Set.of();
    private Map<String, ListConsumerGroupOffsetsSpec> specs = Map.of();
    private Map<TopicPartition, OffsetSpec> latest = Map.of();
    private Map<String, Set<TopicPartition>> reads = Map.of();
    private long looked;
    private boolean known;

    /** @param ignoredGroups groups that do not take part (a tap that reads for the report) */
    public Settle(String bootstrap, Set<String> ignoredGroups) {
        this(bootstrap, g -> !ignoredGroups.contains(g));
    }

    /** @param takesPart which consumer groups take part */
    public Settle(String bootstrap, java.util.function.Predicate<String> takesPart) {
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000));
        this.takesPart = takesPart;
    }

    /**
     * Waits until settled or {@code limit} has passed, looking every {@code pause}. While Kafka
     * does not answer (a broker restarting), the loop has not settled: it looks again, and the
     * outcome's {@code lag} is -1 if Kafka never answered.
     */
    public Outcome await(Duration limit, Duration pause) throws InterruptedException {
        long start = System.nanoTime();
        long lag = lagOrUnknown();
        while (lag != 0) {
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            if (waited.compareTo(limit) >= 0) {
                return new Outcome(false, lag, waited);
            }
            Thread.sleep(lag < 0 ? Math.max(pause.toMillis(), 500) : pause.toMillis());
            lag = lagOrUnknown();
        }
        return new Outcome(true, 0, Duration.ofNanos(System.nanoTime() - start));
    }

    private long lagOrUnknown() throws InterruptedException {
        try {
            return lag();
        } catch (IllegalStateException e) {
            known = false;
            return -1;
        }
    }

    /** Records not yet committed by the groups, 0 when settled (and nothing arrived while looking). */
    public long lag() throws InterruptedException {
        try {
            if (!known || System.nanoTime() - looked > REFRESH.toNanos()) {
                refresh();
            }
            if (groups.isEmpty()) {
                return 0;
            }
            Map<TopicPartition, Long> before = ends();
            // Committed offsets after the first ends: work done before this look is in them.
            var answer = admin.listConsumerGroupOffsets(specs);
            long lag = 0;
            for (String g : groups) {
                Map<TopicPartition, OffsetAndMetadata> offsets = answer.partitionsToOffsetAndMetadata(g).get(10, TimeUnit.SECONDS);
                for (TopicPartition tp : reads.getOrDefault(g, Set.of())) {
                    OffsetAndMetadata at = offsets.get(tp);
                    lag += Math.max(0, before.getOrDefault(tp, 0L) - (at == null ? 0 : at.offset()));
                }
            }
            if (lag > 0) {
                return lag;
            }
            long arrived = 0;
            for (Map.Entry<TopicPartition, Long> end : ends().entrySet()) {
                arrived += end.getValue() - before.getOrDefault(end.getKey(), 0L);
            }
            return arrived;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka did not say whether the loop has settled: " + e, e);
        }
    }

    /** The groups, and the partitions of every topic each has committed on (a group's topics). */
    private void refresh() throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        groups = admin.listConsumerGroups().all().get(10, TimeUnit.SECONDS).stream()
                .map(ConsumerGroupListing::groupId).filter(takesPart).collect(Collectors.toSet());
        specs = new HashMap<>();
        groups.forEach(g -> specs.put(g, new ListConsumerGroupOffsetsSpec()));
        Map<String, Set<String>> topicsOf = new HashMap<>();
        Set<String> topics = new HashSet<>();
        if (!groups.isEmpty()) {
            var answer = admin.listConsumerGroupOffsets(specs);
            for (String g : groups) {
                Set<String> read = answer.partitionsToOffsetAndMetadata(g).get(10, TimeUnit.SECONDS).keySet().stream()
                        .map(TopicPartition::topic).collect(Collectors.toSet());
                topicsOf.put(g, read);
                topics.addAll(read);
            }
        }
        latest = new HashMap<>();
        reads = new HashMap<>();
        if (!topics.isEmpty()) {
            for (var d : admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).values()) {
                d.partitions().forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
            }
        }
        topicsOf.forEach((g, read) -> reads.put(g, latest.keySet().stream().filter(tp -> read.contains(tp.topic()))
                .collect(Collectors.toSet())));
        looked = System.nanoTime();
        known = true;
    }

    private Map<TopicPartition, Long> ends() throws InterruptedException, ExecutionException,
            java.util.concurrent.TimeoutException {
        Map<TopicPartition, Long> out = new HashMap<>();
        if (latest.isEmpty()) {
            return out;
        }
        admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
