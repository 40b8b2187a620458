package dev.greenloop.local.deadletters;

import dev.greenloop.local.eventing.Deliverer;
import dev.greenloop.local.eventing.DeliverySpec;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.kafka.CloudEventDeserializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * {@code ./greenloop dead-letters list|show|replay}: what Knative put on the dead-letter topic
 * (the KafkaSink {@code dead-letter}, topic {@code greenloop.dead-letter}) and why, and sending
 * those events again once the cause is mended.
 * <ul>
 *   <li>{@code list}: every dead letter (partition:offset, time, type, id, the status the
 *       destination answered, the destination, the start of its answer), then the count by
 *       status and destination;</li>
 *   <li>{@code show P:O...}: one dead letter in full: attributes, extensions, the destination's
 *       whole answer ({@code knativeerrordata}, decoded) and the event's data;</li>
 *   <li>{@code replay --to=URL (--all | P:O...)}: posts the original events (the
 *       {@code knativeerror*} extensions removed, id unchanged) to the Broker in binary mode with
 *       the token of {@code --token-file}. With {@code --all} it resumes where the last replay
 *       stopped (the consumer group {@code greenloop-dead-letter-replay} commits each replayed
 *       record), so running it twice sends nothing twice; a replayed event keeps its id, and
 *       every function treats a redelivered event as one (derived ids, upserts), so the Triggers
 *       that had taken it already do nothing.</li>
 * </ul>
 * Kafka is {@code --bootstrap} (default {@code localhost:9092}), with client settings (security,
 * SASL, TLS) from {@code --kafka-config=FILE} when the cluster needs them.
 */
public final class DeadLetterTool {

    static final String USAGE = """
            usage: ./greenloop dead-letters list [--bootstrap=HOST:PORT] [--topic=greenloop.dead-letter] [--kafka-config=FILE]
                   ./greenloop dead-letters show PARTITION:OFFSET... [same options]
                   ./greenloop dead-letters replay --to=BROKER_URL [--token-file=FILE] (--all | PARTITION:OFFSET...) [same options]""";
    static final String REPLAY_GROUP = "greenloop-dead-letter-replay";
    private static final String ERROR_PREFIX = "knativeerror";

    /** A dead letter as read from the topic. */
    public record DeadLetter(int partition, long offset, long timestamp, CloudEvent event) {
        public String position() {
            return partition + ":" + offset;
        }

        public String code() {
            Object c = event.getExtension("knativeerrorcode");
            return c == null ? "?" : c.toString();
        }

        public String destination() {
            Object d = event.getExtension("knativeerrordest");
            return d == null ? "?" : d.toString();
        }

        /** The destination's answer, decoded. */
        public String answer() {
            Object data = event.getExtension("knativeerrordata");
            if (data == null) {
                return "";
            }
            try {
                return new String(Base64.getDecoder().decode(data.toString()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return data.toString();
            }
        }

        /** The event as it was before it failed: the knativeerror* extensions removed. */
        public CloudEvent original() {
            CloudEventBuilder b = CloudEventBuilder.v1(event);
            for (String name : event.getExtensionNames()) {
                if (name.startsWith(ERROR_PREFIX)) {
                    b.withoutExtension(name);
                }
            }
            return b.build();
        }
    }

    private final Map<String, Object> kafka;
    private final String topic;
    private final PrintStream out;

    public DeadLetterTool(Map<String, Object> kafka, String topic, PrintStream out) {
        this.kafka = Map.copyOf(kafka);
        this.topic = topic;
        this.out = out;
    }

    public static void main(String[] args) {
        try {
            System.exit(run(args, System.out));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }

    /** Runs one command; returns the exit status (1 when a replay left events unsent). */
    public static int run(String[] args, PrintStream out) {
        List<String> positional = new ArrayList<>();
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            if (arg.equals("dead-letters")) {
                continue;
            }
            if (arg.equals("--all")) {
                options.put("all", "true");
            } else if (arg.startsWith("--") && arg.contains("=")) {
                options.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
            } else if (!arg.startsWith("--")) {
                positional.add(arg);
            } else {
                throw new IllegalArgumentException("unknown option " + arg + "\n" + USAGE);
            }
        }
        if (positional.isEmpty()) {
            throw new IllegalArgumentException(USAGE);
        }
        Map<String, Object> kafka = new HashMap<>();
        if (options.containsKey("kafka-config")) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(Path.of(options.get("kafka-config")))) {
                p.load(r);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + options.get("kafka-config") + ": " + e.getMessage());
            }
            p.forEach((k, v) -> kafka.put(k.toString(), v));
        }
        kafka.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.getOrDefault("bootstrap", "localhost:9092"));
        DeadLetterTool tool = new DeadLetterTool(kafka, options.getOrDefault("topic", "greenloop.dead-letter"), out);
        String command = positional.get(0);
        List<String> positions = positional.subList(1, positional.size());
        switch (command) {
            case "list" -> {
                tool.list();
                return 0;
            }
            case "show" -> {
                if (positions.isEmpty()) {
                    throw new IllegalArgumentException("show needs PARTITION:OFFSET\n" + USAGE);
                }
                tool.show(positions);
                return 0;
            }
            case "replay" -> {
                if (!options.containsKey("to") || (positions.isEmpty() == !options.containsKey("all"))) {
                    throw new IllegalArgumentException("replay needs --to=BROKER_URL and either --all or PARTITION:OFFSET...\n"
                            + USAGE);
                }
                String token = null;
                if (options.containsKey("token-file")) {
                    try {
                        token = Files.readString(Path.of(options.get("token-file"))).trim();
                    } catch (IOException e) {
                        throw new IllegalArgumentException("cannot read the token file: " + e.getMessage());
                    }
                }
                URI to = URI.create(options.get("to"));
                int failed = options.containsKey("all") ? tool.replayAll(to, token) : tool.replay(positions, to, token);
                return failed == 0 ? 0 : 1;
            }
            default -> throw new IllegalArgumentException("unknown command " + command + "\n" + USAGE);
        }
    }

    private KafkaConsumer<String, CloudEvent> consumer(String group) {
        Map<String, Object> c = new HashMap<>(kafka);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        if (group != null) {
            c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        return new KafkaConsumer<>(c, new StringDeserializer(), new CloudEventDeserializer());
    }

    private List<TopicPartition> partitions(KafkaConsumer<String, CloudEvent> consumer) {
        List<PartitionInfo> info = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (info == null || info.isEmpty()) {
            throw new IllegalArgumentException("no topic " + topic + " at " + kafka.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG));
        }
        return info.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    /** Every dead letter from {@code from} (per partition; missing: the beginning) to the end as it is now. */
    List<DeadLetter> read(KafkaConsumer<String, CloudEvent> consumer, Map<TopicPartition, Long> from) {
        List<TopicPartition> partitions = partitions(consumer);
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
        List<DeadLetter> letters = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("reading " + topic + " took more than 60 s");
            }
            for (ConsumerRecord<String, CloudEvent> r : consumer.poll(Duration.ofMillis(500))) {
                if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition())) && r.value() != null) {
                    letters.add(new DeadLetter(r.partition(), r.offset(), r.timestamp(), r.value()));
                }
            }
        }
        return letters;
    }

    List<DeadLetter> all() {
        try (KafkaConsumer<String, CloudEvent> consumer = consumer(null)) {
            return read(consumer, Map.of());
        }
    }

    void list() {
        List<DeadLetter> letters = all();
        if (letters.isEmpty()) {
            out.println("no dead letters on " + topic);
            return;
        }
        out.printf(Locale.ROOT, "%-10s %-20s %-40s %-38s %-5s %s%n", "position", "time", "type", "id", "code", "destination: answer");
        Map<String, Integer> byReason = new TreeMap<>();
        for (DeadLetter d : letters) {
            out.printf(Locale.ROOT, "%-10s %-20s %-40s %-38s %-5s %s: %s%n", d.position(),
                    java.time.Instant.ofEpochMilli(d.timestamp()).toString().substring(0, 19), d.event().getType(),
                    d.event().getId(), d.code(), d.destination(), oneLine(d.answer(), 100));
            byReason.merge(d.code() + " from " + d.destination(), 1, Integer::sum);
        }
        out.println();
        out.println(letters.size() + " dead letter(s) on " + topic + "; by status and destination:");
        byReason.forEach((reason, n) -> out.printf(Locale.ROOT, "%6d  %s%n", n, reason));
    }

    void show(List<String> positions) {
        Map<String, DeadLetter> byPosition = new LinkedHashMap<>();
        all().forEach(d -> byPosition.put(d.position(), d));
        for (String p : positions) {
            DeadLetter d = byPosition.get(p);
            if (d == null) {
                throw new IllegalArgumentException("no dead letter at " + p + " on " + topic + " (see: list)");
            }
            CloudEvent e = d.event();
            out.println("position     " + d.position() + " (" + java.time.Instant.ofEpochMilli(d.timestamp()) + ")");
            out.println("destination  " + d.destination());
            out.println("status       " + d.code());
            out.println("answer       " + d.answer());
            out.println("id           " + e.getId());
            out.println("type         " + e.getType());
            out.println("source       " + e.getSource());
            out.println("subject      " + e.getSubject());
            out.println("time         " + e.getTime());
            for (String name : new java.util.TreeSet<>(e.getExtensionNames())) {
                if (!name.startsWith(ERROR_PREFIX)) {
                    out.println("ce-" + name + " ".repeat(Math.max(1, 10 - name.length())) + e.getExtension(name));
                }
            }
            out.println("data         " + (e.getData() == null ? "" : new String(e.getData().toBytes(), StandardCharsets.UTF_8)));
            out.println();
        }
    }

    /** Replays the dead letters at {@code positions}; returns how many were not taken. */
    int replay(List<String> positions, URI to, String token) {
        Map<String, DeadLetter> byPosition = new LinkedHashMap<>();
        all().forEach(d -> byPosition.put(d.position(), d));
        Deliverer deliverer = new Deliverer(audience -> token, Duration.ofSeconds(30));
        int failed = 0;
        for (String p : positions) {
            DeadLetter d = byPosition.get(p);
            if (d == null) {
                throw new IllegalArgumentException("no dead letter at " + p + " on " + topic + " (see: list)");
            }
            failed += post(deliverer, d, to, token) ? 0 : 1;
        }
        return failed;
    }

    /**
     * Replays every dead letter the replay group has not replayed yet, committing each one the
     * Broker took; stops at the first it did not take, so a rerun resumes there.
     */
    int replayAll(URI to, String token) {
        try (KafkaConsumer<String, CloudEvent> consumer = consumer(REPLAY_GROUP)) {
            List<TopicPartition> partitions = partitions(consumer);
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new java.util.HashSet<>(partitions));
            Map<TopicPartition, Long> from = new HashMap<>();
            committed.forEach((tp, o) -> {
                if (o != null) {
                    from.put(tp, o.offset());
                }
            });
            List<DeadLetter> letters = read(consumer, from);
            Deliverer deliverer = new Deliverer(audience -> token, Duration.ofSeconds(30));
            int sent = 0;
            for (DeadLetter d : letters) {
                if (!post(deliverer, d, to, token)) {
                    out.println("stopped at " + d.position() + "; run replay --all again once the Broker takes it ("
                            + sent + " replayed, " + (letters.size() - sent) + " left)");
                    return letters.size() - sent;
                }
                consumer.commitSync(Map.of(new TopicPartition(topic, d.partition()), new OffsetAndMetadata(d.offset() + 1)));
                sent++;
            }
            out.println(sent == 0 ? "nothing to replay: every dead letter on " + topic + " was replayed before"
                    : sent + " dead letter(s) replayed");
            return 0;
        }
    }

    /** Posts the original event once (the operator reruns a replay), with the token when given. */
    private boolean post(Deliverer deliverer, DeadLetter d, URI to, String token) {
        CloudEvent original = d.original();
        Deliverer.Outcome outcome;
        try {
            outcome = deliverer.deliver(original, to, token == null ? null : "broker", DeliverySpec.NONE, () -> true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (outcome.delivered()) {
            out.println("replayed " + d.position() + " " + original.getType() + " " + original.getId());
            return true;
        }
        out.println(outcome.status() == 0 ? "cannot reach " + to + ": " + outcome.body()
                : "the Broker answered " + outcome.status() + " to " + d.position() + ": " + oneLine(outcome.body(), 200));
        return false;
    }

    private static String oneLine(String s, int max) {
        String one = s.replaceAll("\\s+", " ").trim();
        return one.length() > max ? one.substring(0, max) + "..." : one;
    }
}
