package dev.greenloop.deadletters;

import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventDeserializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The dead-letter topic ({@code greenloop.dead-letter}, written by the KafkaSink {@code dead-letter}):
 * what is on it, one dead letter by position, and replaying them. Each call opens its own consumer
 * and closes it, so an idle function holds no connection. Replaying everything
 * ({@link #replayAll}) commits each replayed record in the consumer group {@link #REPLAY_GROUP},
 * so a second run sends only what came since, and a run that stopped resumes where it stopped.
 */
public final class DeadLetterTopic {

    /** The consumer group that remembers how far {@link #replayAll} got. */
    public static final String REPLAY_GROUP = "greenloop-dead-letter-replay";
    public static final String DEFAULT_TOPIC = "greenloop.dead-letter";
    private static final Duration READ_LIMIT = Duration.ofSeconds(60);

    /** Posts one event to the Broker; throws (with the reason as message) when it was not taken. */
    @FunctionalInterface
    public interface Sender {
        void send(CloudEvent event) throws Exception;
    }

    /**
     * What a replay did: the dead letters replayed, in order; when it stopped early, the one the
     * Broker did not take, why, and how many were left (it included).
     */
    public record Replay(List<Replayed> replayed, DeadLetter stoppedAt, String reason, int left) {
        public boolean complete() {
            return stoppedAt == null;
        }
    }

    /** A dead letter the Broker took again: its position and its event's type and id (not the event: a replay may be long). */
    public record Replayed(String position, String type, String id) {
        static Replayed of(DeadLetter d) {
            return new Replayed(d.position(), d.event().getType(), d.event().getId());
        }
    }

    /** Thrown when the topic does not exist, or a named dead letter is not on it. */
    public static final class NotFound extends RuntimeException {
        public NotFound(String message) {
            super(message);
        }
    }

    private final Map<String, Object> kafka;
    private final String topic;

    /** {@code kafka}: the client settings (bootstrap servers, security); no group, no deserialisers. */
    public DeadLetterTopic(Map<String, Object> kafka, String topic) {
        this.kafka = Map.copyOf(kafka);
        this.topic = topic;
    }

    public String topic() {
        return topic;
    }

    private KafkaConsumer<String, CloudEvent> consumer(String group) {
        Map<String, Object> c = new HashMap<>(kafka);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // A reader never creates the topic: the KafkaSink's dead-letter topic is made with its own
        // partitions, and a topic made here would take the broker's default count instead.
        c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        if (group != null) {
            c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        return new KafkaConsumer<>(c, new StringDeserializer(), new CloudEventDeserializer());
    }

    private List<TopicPartition> partitions(KafkaConsumer<String, CloudEvent> consumer) {
        List<PartitionInfo> info = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (info == null || info.isEmpty()) {
            throw new NotFound("no topic " + topic + " at " + kafka.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)
                    + " (the KafkaSink dead-letter creates it)");
        }
        return info.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    /**
     * Reads every letter from {@code from} (the beginning where absent) up to the end offsets it
     * takes first, handing each to {@code each} as it comes; returns those end offsets. Letters that arrive meanwhile
     * are left for the next read.
     */
    private Map<TopicPartition, Long> read(KafkaConsumer<String, CloudEvent> consumer, List<TopicPartition> partitions,
                                           Map<TopicPartition, Long> from, Consumer<DeadLetter> each) {
        consumer.assign(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        for (TopicPartition tp : partitions) {
            Long start = from.get(tp);
            if (start == null) {
                consumer.seekToBeginning(List.of(tp));
            } else {
                consumer.seek(tp, start);
            }
        }
        long deadline = System.nanoTime() + READ_LIMIT.toNanos();
        while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("reading " + topic + " took more than " + READ_LIMIT.toSeconds() + " s");
            }
            for (ConsumerRecord<String, CloudEvent> r : consumer.poll(Duration.ofMillis(500))) {
                if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition())) && r.value() != null) {
                    each.accept(letter(r));
                }
            }
        }
        return end;
    }

    private static DeadLetter letter(ConsumerRecord<String, CloudEvent> r) {
        return new DeadLetter(r.partition(), r.offset(), Instant.ofEpochMilli(r.timestamp()), r.value());
    }

    /** Every dead letter on the topic, in the order read (all of them in memory; {@link #forEach} holds none). */
    public List<DeadLetter> all() {
        List<DeadLetter> letters = new ArrayList<>();
        forEach(letters::add);
        return letters;
    }

    /**
     * Hands every dead letter on the topic, up to its end as it is now, to {@code each} as it is
     * read, with one consumer: what it holds is one poll's letters, however many the topic has.
     */
    public void forEach(Consumer<DeadLetter> each) {
        try (KafkaConsumer<String, CloudEvent> consumer = consumer(null)) {
            read(consumer, partitions(consumer), Map.of(), each);
        }
    }

    /**
     * What an operator's list shows: how many dead letters there are and their count by reason
     * (all of them), the newest {@code limit} by time, newest first, and how far {@link #replayAll} got.
     */
    public record Overview(long total, Map<String, Integer> byReason, List<DeadLetter> newest, Map<Integer, Long> replayedUpTo) {
    }

    /** Dead letters counted as they are read: how many, and how many by {@link DeadLetter#reason()} (in order of reason). */
    public static final class Tally {

        private final Map<String, Integer> byReason = new TreeMap<>();
        private long total;

        public void add(DeadLetter d) {
            total++;
            byReason.merge(d.reason(), 1, Integer::sum);
        }

        public long total() {
            return total;
        }

        public Map<String, Integer> byReason() {
            return byReason;
        }
    }

    /**
     * Counts every dead letter by reason and keeps the newest {@code limit} as the topic is read,
     * with one consumer: what it holds is those, however many letters the topic has.
     */
    public Overview overview(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1; was " + limit);
        }
        // The oldest of those kept on top, to be dropped when a newer one comes; in the same
        // millisecond, the later offset is the newer.
        Comparator<DeadLetter> byTime = Comparator.comparing(DeadLetter::timestamp)
                .thenComparingLong(DeadLetter::offset).thenComparingInt(DeadLetter::partition);
        PriorityQueue<DeadLetter> newest = new PriorityQueue<>(byTime);
        Tally tally = new Tally();
        try (KafkaConsumer<String, CloudEvent> consumer = consumer(REPLAY_GROUP)) {
            List<TopicPartition> partitions = partitions(consumer);
            Map<Integer, Long> upTo = new TreeMap<>();
            committed(consumer, partitions).forEach((tp, offset) -> upTo.put(tp.partition(), offset));
            read(consumer, partitions, Map.of(), d -> {
                tally.add(d);
                newest.add(d);
                if (newest.size() > limit) {
                    newest.poll();
                }
            });
            List<DeadLetter> shown = new ArrayList<>(newest);
            shown.sort(byTime.reversed());
            return new Overview(tally.total(), tally.byReason(), shown, upTo);
        }
    }

    /**
     * What came since a previous look, for counting: the dead letters after {@code from} (per
     * partition, the offset to read next; a partition not named is read from its beginning),
     * where to read next time, and how many letters the replay group has not replayed.
     */
    public record Since(List<DeadLetter> letters, Map<Integer, Long> next, long unreplayed) {
    }

    /** The dead letters after {@code from} and the replay group's progress, read with one consumer. */
    public Since since(Map<Integer, Long> from) {
        try (KafkaConsumer<String, CloudEvent> consumer = consumer(REPLAY_GROUP)) {
            List<TopicPartition> partitions = partitions(consumer);
            Map<TopicPartition, Long> start = new HashMap<>();
            from.forEach((p, o) -> start.put(new TopicPartition(topic, p), o));
            List<DeadLetter> letters = new ArrayList<>();
            Map<TopicPartition, Long> upTo = read(consumer, partitions, start, letters::add);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            Map<TopicPartition, Long> replayed = committed(consumer, partitions);
            Map<Integer, Long> next = new TreeMap<>();
            long unreplayed = 0;
            for (TopicPartition tp : partitions) {
                // Where this read stopped, not the consumer's position: a poll may have fetched
                // letters that arrived after the end offsets were taken, and skipped them.
                long end = upTo.get(tp);
                next.put(tp.partition(), end);
                unreplayed += end - Math.max(begin.get(tp), replayed.getOrDefault(tp, 0L));
            }
            return new Since(letters, next, unreplayed);
        }
    }

    /** The dead letter at {@code position}; {@link NotFound} when there is none there (any more). */
    public DeadLetter at(Position position) {
        return at(List.of(position)).get(0);
    }

    /** The dead letters at {@code positions}, in that order, read with one consumer; {@link NotFound} for one not there. */
    public List<DeadLetter> at(List<Position> positions) {
        try (KafkaConsumer<String, CloudEvent> consumer = consumer(null)) {
            List<TopicPartition> partitions = partitions(consumer);
            List<DeadLetter> letters = new ArrayList<>();
            for (Position position : positions) {
                letters.add(at(consumer, partitions, position));
            }
            return letters;
        }
    }

    private DeadLetter at(KafkaConsumer<String, CloudEvent> consumer, List<TopicPartition> partitions, Position position) {
        TopicPartition tp = new TopicPartition(topic, position.partition());
        if (!partitions.contains(tp)) {
            throw new NotFound("no dead letter at " + position + ": " + topic + " has no partition " + position.partition());
        }
        consumer.assign(List.of(tp));
        long begin = consumer.beginningOffsets(List.of(tp)).get(tp);
        long end = consumer.endOffsets(List.of(tp)).get(tp);
        if (position.offset() < begin || position.offset() >= end) {
            throw new NotFound("no dead letter at " + position + " on " + topic + " (partition " + position.partition()
                    + " holds offsets " + begin + " to " + (end - 1) + "; see the list)");
        }
        consumer.seek(tp, position.offset());
        long deadline = System.nanoTime() + READ_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, CloudEvent> r : consumer.poll(Duration.ofMillis(500))) {
                if (r.offset() == position.offset() && r.value() != null) {
                    return letter(r);
                }
                if (r.offset() >= position.offset()) {
                    throw new NotFound("no dead letter at " + position + " on " + topic + " (not a CloudEvent)");
                }
            }
        }
        throw new IllegalStateException("reading " + position + " of " + topic + " took more than " + READ_LIMIT.toSeconds() + " s");
    }

    /**
     * How far {@link #replayAll} got, per partition: dead letters before these offsets were
     * replayed (or skipped by an operator); a partition not named was never replayed.
     */
    public Map<Integer, Long> replayedUpTo() {
        try (KafkaConsumer<String, CloudEvent> consumer = consumer(REPLAY_GROUP)) {
            Map<Integer, Long> upTo = new TreeMap<>();
            committed(consumer, partitions(consumer)).forEach((tp, offset) -> upTo.put(tp.partition(), offset));
            return upTo;
        }
    }

    /** The replay group's committed offsets of the partitions that have one. */
    private static Map<TopicPartition, Long> committed(KafkaConsumer<String, CloudEvent> consumer, List<TopicPartition> partitions) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        consumer.committed(new HashSet<>(partitions)).forEach((tp, o) -> {
            if (o != null) {
                offsets.put(tp, o.offset());
            }
        });
        return offsets;
    }

    /**
     * Sends the originals of the dead letters at {@code positions}, in that order, each once;
     * stops at the first the Broker does not take. Commits nothing: an operator replaying single
     * letters decides what comes next.
     */
    public Replay replay(List<Position> positions, Sender sender) {
        InOrder replay = new InOrder(sender, d -> { });
        at(positions).forEach(replay::offer);
        return replay.result();
    }

    /**
     * Sends every dead letter the replay group has not replayed yet, as the topic is read,
     * committing each the Broker took before sending the next; stops at the first it did not
     * take, so a rerun resumes there. What it holds is the replayed letters' positions, never the
     * letters waiting. Two replays at once may both send a letter; a replayed event keeps its id,
     * which every function treats as a redelivery.
     */
    public Replay replayAll(Sender sender) {
        try (KafkaConsumer<String, CloudEvent> consumer = consumer(REPLAY_GROUP)) {
            List<TopicPartition> partitions = partitions(consumer);
            InOrder replay = new InOrder(sender, d -> consumer.commitSync(Map.of(new TopicPartition(topic, d.partition()),
                    new OffsetAndMetadata(d.offset() + 1))));
            read(consumer, partitions, committed(consumer, partitions), replay::offer);
            return replay.result();
        }
    }

    /**
     * Sends letters in the order offered, {@code taken} after each the Broker took; after the
     * first it did not take, sends no more and counts the rest as left.
     */
    private static final class InOrder {

        private final Sender sender;
        private final Consumer<DeadLetter> taken;
        private final List<Replayed> replayed = new ArrayList<>();
        private DeadLetter stoppedAt;
        private String reason;
        private int left;

        InOrder(Sender sender, Consumer<DeadLetter> taken) {
            this.sender = sender;
            this.taken = taken;
        }

        void offer(DeadLetter d) {
            if (stoppedAt != null) {
                left++;
                return;
            }
            String refusal = send(sender, d);
            if (refusal != null) {
                stoppedAt = d;
                reason = refusal;
                left = 1;
                return;
            }
            taken.accept(d);
            replayed.add(Replayed.of(d));
        }

        Replay result() {
            return new Replay(List.copyOf(replayed), stoppedAt, reason, stoppedAt == null ? 0 : left);
        }
    }

    /** Sends the original of {@code d}; null when taken, else why not. */
    private static String send(Sender sender, DeadLetter d) {
        try {
            sender.send(d.original());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (Exception e) {
            return e.getMessage() == null ? e.toString() : e.getMessage();
        }
    }
}
