package dev.greenloop.local.deadletters;

import dev.greenloop.deadletters.DeadLetter;
import dev.greenloop.deadletters.DeadLetterTopic;
import dev.greenloop.deadletters.Position;
import dev.greenloop.local.eventing.Deliverer;
import dev.greenloop.local.eventing.DeliverySpec;
import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.consumer.ConsumerConfig;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

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

    private final DeadLetterTopic topic;
    private final PrintStream out;

    public DeadLetterTool(Map<String, Object> kafka, String topic, PrintStream out) {
        this.topic = new DeadLetterTopic(kafka, topic);
        this.out = out;
    }

    public static void main(String[] args) {
        try {
            System.exit(run(args, System.out));
        } catch (IllegalArgumentException | DeadLetterTopic.NotFound e) {
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
                int failed = tool.replay(positions, options.containsKey("all"), to, token);
                return failed == 0 ? 0 : 1;
            }
            default -> throw new IllegalArgumentException("unknown command " + command + "\n" + USAGE);
        }
    }

    /** Prints every dead letter as the topic is read (holding only the counts by reason), then the counts. */
    void list() {
        DeadLetterTopic.Tally tally = new DeadLetterTopic.Tally();
        topic.forEach(d -> {
            if (tally.total() == 0) {
                out.printf(Locale.ROOT, "%-10s %-20s %-40s %-38s %-5s %s%n", "position", "time", "type", "id", "code",
                        "destination: answer");
            }
            out.printf(Locale.ROOT, "%-10s %-20s %-40s %-38s %-5s %s: %s%n", d.position(),
                    d.timestamp().toString().substring(0, 19), d.event().getType(),
                    d.event().getId(), d.code(), d.destination(), DeadLetter.oneLine(d.answer(), 100));
            tally.add(d);
        });
        if (tally.total() == 0) {
            out.println("no dead letters on " + topic.topic());
            return;
        }
        out.println();
        out.println(tally.total() + " dead letter(s) on " + topic.topic() + "; by status and destination:");
        tally.byReason().forEach((reason, n) -> out.printf(Locale.ROOT, "%6d  %s%n", n, reason));
    }

    void show(List<String> positions) {
        for (String p : positions) {
            DeadLetter d = topic.at(Position.parse(p));
            CloudEvent e = d.event();
            out.println("position     " + d.position() + " (" + d.timestamp() + ")");
            out.println("destination  " + d.destination());
            out.println("status       " + d.code());
            out.println("answer       " + d.answer());
            out.println("id           " + e.getId());
            out.println("type         " + e.getType());
            out.println("source       " + e.getSource());
            out.println("subject      " + e.getSubject());
            out.println("time         " + e.getTime());
            for (String name : new TreeSet<>(e.getExtensionNames())) {
                if (!name.startsWith(DeadLetter.ERROR_PREFIX)) {
                    out.println("ce-" + name + " ".repeat(Math.max(1, 10 - name.length())) + e.getExtension(name));
                }
            }
            out.println("data         " + d.dataText());
            out.println();
        }
    }

    /** Replays the dead letters at {@code positions}, or all not replayed yet; returns how many were not taken. */
    int replay(List<String> positions, boolean all, URI to, String token) {
        Deliverer deliverer = new Deliverer(audience -> token, Duration.ofSeconds(30));
        DeadLetterTopic.Sender sender = event -> post(deliverer, event, to, token);
        DeadLetterTopic.Replay replay = all ? topic.replayAll(sender)
                : topic.replay(positions.stream().map(Position::parse).toList(), sender);
        replay.replayed().forEach(d -> out.println("replayed " + d.position() + " " + d.type() + " " + d.id()));
        if (!replay.complete()) {
            out.println(replay.reason());
            out.println("stopped at " + replay.stoppedAt().position() + "; run the replay again once the Broker takes it ("
                    + replay.replayed().size() + " replayed, " + replay.left() + " left)");
            return replay.left();
        }
        if (all) {
            out.println(replay.replayed().isEmpty() ? "nothing to replay: every dead letter on " + topic.topic() + " was replayed before"
                    : replay.replayed().size() + " dead letter(s) replayed");
        }
        return 0;
    }

    /** Posts {@code event} once (the operator reruns a replay), with the token when given; throws when not taken. */
    private static void post(Deliverer deliverer, CloudEvent event, URI to, String token) throws InterruptedException {
        Deliverer.Outcome outcome = deliverer.deliver(event, to, token == null ? null : "broker", DeliverySpec.NONE, () -> true);
        if (!outcome.delivered()) {
            throw new IllegalStateException(outcome.status() == 0 ? "cannot reach " + to + ": " + outcome.body()
                    : "the Broker answered " + outcome.status() + " to " + event.getId() + ": " + DeadLetter.oneLine(outcome.body(), 200));
        }
    }
}
