package dev.greenloop.bench.loop;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.greenloop.events.EventType;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.clock.ClockFile;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.ControlCommand;
import dev.greenloop.events.payload.FeatureWindow;
import dev.greenloop.events.payload.Prediction;
import dev.greenloop.events.signing.KeyRing;
import dev.greenloop.local.Demo;
import dev.greenloop.local.DemoZones;
import dev.greenloop.local.Dispatcher;
import dev.greenloop.local.Gateway;
import dev.greenloop.local.Progress;
import dev.greenloop.local.Settle;
import dev.greenloop.local.Stack;
import dev.greenloop.local.TopicRecords;
import dev.greenloop.local.wiring.Manifests;
import dev.greenloop.simulator.GreenhouseSimulator;
import dev.greenloop.testkit.mlflow.TestModelScript;
import dev.greenloop.testkit.otlp.OtlpReceiver;
import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * End-to-end latency of the loop on one machine: the local stack (Kafka, HDFS, MongoDB-wire,
 * MLflow with a registered champion, the six functions as their packaged apps, the dispatcher
 * playing Knative Eventing from {@code eventing/}) runs one greenhouse of {@code bench.zones}
 * zones minute by minute in simulated time, each minute's readings posted by the demo's gateway
 * and the loop left to settle before the next (unloaded latency: one minute's events in flight).
 * Afterwards it reads the records' own times, all on the wall clock:
 * <ul>
 *   <li>the readings that close a window: the newest record of the zone on
 *       {@code greenhouse.readings} (stamped by ingest's producer as it sends, just before it
 *       acknowledges) no later than the window;</li>
 *   <li>the feature window and the champion's prediction as the Broker took them (their records
 *       on the Broker's topic);</li>
 *   <li>the signed command on {@code greenhouse.commands} (stamped by control's producer).</li>
 * </ul>
 * It prints p50, p90, p99 and the maximum of each hop and of the whole path, in milliseconds,
 * over the minutes after {@code bench.warmup}.
 */
public final class LoopLatency {

    private static final String GREENHOUSE = Demo.GREENHOUSE;

    private LoopLatency() {
    }

    public static void main(String[] args) throws Exception {
        int minutes = Integer.getInteger("bench.minutes", 180);
        int warmup = Integer.getInteger("bench.warmup", 20);
        int zoneCount = Integer.getInteger("bench.zones", 2);
        Path root = Path.of(System.getProperty("greenloop.root", ".")).toAbsolutePath().normalize();
        Path work = root.resolve("bench/loop-latency/target/work");
        System.setProperty("greenloop.testkit.dir", work.resolve("services").toString());
        Files.createDirectories(work);
        List<String> zones = new ArrayList<>();
        for (int z = 0; z < zoneCount; z++) {
            zones.add("zone-" + (char) ('a' + z));
        }
        Progress progress = new Progress(false);
        Demo.Secrets secrets = Demo.Secrets.generate();
        KeyRing keys = KeyRing.parse(secrets.keySpec());
        Instant from = Instant.now().truncatedTo(ChronoUnit.HOURS);
        Instant measuredFrom;
        String bootstrap;
        List<ConsumerRecord<String, CloudEvent>> readings;
        List<ConsumerRecord<String, CloudEvent>> broker;
        List<ConsumerRecord<String, CloudEvent>> commands;

        // -Dbench.tracing=true: every function exports its spans to an OTLP receiver in this JVM.
        OtlpReceiver spans = Boolean.getBoolean("bench.tracing") ? OtlpReceiver.start() : null;
        if (spans != null) {
            System.setProperty(Demo.TRACING_ENDPOINT, spans.endpoint().toString());
        }
        try (Stack stack = new Stack(root, work);
             ClockFile clock = ClockFile.create(work.resolve("clock"))) {
            stack.startServices(progress);
            bootstrap = stack.kafka().bootstrapServers();
            for (String topic : List.of("greenhouse.readings", "greenhouse.commands", Dispatcher.BROKER_TOPIC)) {
                stack.kafka().createTopic(topic, 3);
            }
            stack.kafka().createTopic("greenhouse.readings.quarantine", 1);
            clock.set(from);
            try (Dispatcher dispatcher = new Dispatcher(Manifests.load(root.resolve("eventing")),
                    Manifests.load(root.resolve("knative/base")), bootstrap, stack::url, Clock.systemUTC())) {
                stack.kafka().createTopic(dispatcher.deadLetterTopic(), 1);
                progress.step("registering a champion for " + GREENHOUSE);
                TestModelScript.register(root.resolve("trainer"), stack.mlflow().trackingUri(), Map.of(),
                        "greenloop-" + GREENHOUSE, "champion", 0.0);
                Demo.Settings settings = Demo.settings(stack, dispatcher, clock, secrets, zones, stack.trainerPython(),
                        "air_temperature", false, 0);
                stack.startFunctions(settings.properties(), settings.env(), progress);
                DemoZones.write(stack.mongo().connectionString(), List.of(GREENHOUSE), zones);
                dispatcher.start();
                dispatcher.pingsInLockStep(from);
                try (Gateway gateway = new Gateway(new GreenhouseSimulator(GREENHOUSE, zones, from, 11, 0),
                        stack.url("ingest"), stack.url("control"), secrets.deviceToken(), "gateway-1", keys, bootstrap,
                        clock.clock(Clock.systemUTC()));
                     MongoClient store = MongoClients.create(stack.mongo().connectionString());
                     Settle settle = new Settle(bootstrap, g -> !g.equals("greenloop-archive"))) {
                    gateway.startCommands("greenhouse.commands", store.getDatabase("greenhouse-gateway").getCollection("nonces"));
                    Instant measuring = null;
                    for (int m = 1; m <= minutes; m++) {
                        if (m == warmup + 1) {
                            measuring = Instant.now();
                            progress.step("measuring from minute " + m);
                        }
                        Instant t = from.plus(Duration.ofMinutes(m));
                        clock.set(t);
                        dispatcher.firePings(t);
                        gateway.advanceTo(t, 1);
                        if (!settle.await(Duration.ofSeconds(60), Duration.ofMillis(2)).settled()) {
                            System.err.println("minute " + m + " did not settle within 60 s");
                        }
                    }
                    measuredFrom = measuring == null ? Instant.EPOCH : measuring;
                }
                readings = TopicRecords.all(bootstrap, "greenhouse.readings");
                broker = TopicRecords.all(bootstrap, Dispatcher.BROKER_TOPIC);
                commands = TopicRecords.all(bootstrap, "greenhouse.commands");
            }
        }
        if (spans != null) {
            System.out.printf(Locale.ROOT, "%ntracing on: %,d spans received over OTLP%n", spans.spans().size());
            spanReport(spans.spans(), measuredFrom.toEpochMilli() * 1_000_000L);
            spans.close();
        }
        report(measure(readings, broker, commands, measuredFrom.toEpochMilli()), minutes, warmup, zoneCount);
        System.exit(0);
    }

    /** The latencies of each hop, in milliseconds, by name, for windows the Broker took from {@code since}. */
    static Map<String, List<Long>> measure(List<ConsumerRecord<String, CloudEvent>> readings,
                                           List<ConsumerRecord<String, CloudEvent>> broker,
                                           List<ConsumerRecord<String, CloudEvent>> commands, long since) {
        Map<String, NavigableMap<Long, Long>> readingsByZone = new HashMap<>();
        for (ConsumerRecord<String, CloudEvent> r : readings) {
            readingsByZone.computeIfAbsent(r.key(), k -> new TreeMap<>()).merge(r.timestamp(), r.timestamp(), Math::max);
        }
        Map<String, Long> windowAt = new HashMap<>();
        Map<String, Long> closedAt = new HashMap<>();
        Map<String, Long> predictionAt = new HashMap<>();
        Map<String, String> windowOfPrediction = new HashMap<>();
        for (ConsumerRecord<String, CloudEvent> r : broker) {
            CloudEvent e = r.value();
            if (EventTypes.FEATURES_WINDOW.equals(e.getType())) {
                FeatureWindow w = PayloadCodec.read(EventType.FEATURES_WINDOW, e.getData().toBytes());
                if (r.timestamp() >= since && windowAt.putIfAbsent(w.windowId(), r.timestamp()) == null) {
                    Map.Entry<Long, Long> closing = readingsByZone.getOrDefault(w.greenhouseId() + "/" + w.zoneId(), new TreeMap<>())
                            .floorEntry(r.timestamp());
                    if (closing != null) {
                        closedAt.put(w.windowId(), closing.getKey());
                    }
                }
            } else if (EventTypes.PREDICTION.equals(e.getType())) {
                Prediction p = PayloadCodec.read(EventType.PREDICTION, e.getData().toBytes());
                if (!p.shadow() && predictionAt.putIfAbsent(e.getId(), r.timestamp()) == null) {
                    windowOfPrediction.put(e.getId(), p.windowId());
                }
            }
        }
        Map<String, Long> commandAt = new HashMap<>();
        for (ConsumerRecord<String, CloudEvent> r : commands) {
            ControlCommand c = PayloadCodec.read(EventType.CONTROL_COMMAND, r.value().getData().toBytes());
            if (c.predictionId() != null) {
                commandAt.merge(c.predictionId(), r.timestamp(), Math::min);
            }
        }
        Map<String, List<Long>> hops = new LinkedHashMap<>();
        for (String hop : List.of("readings -> window (ingest, KafkaSource, preprocess, K_SINK)",
                "window -> prediction (Trigger, infer, reply)", "prediction -> command (Trigger, control, Kafka)",
                "readings -> prediction", "readings -> command")) {
            hops.put(hop, new ArrayList<>());
        }
        List<List<Long>> h = new ArrayList<>(hops.values());
        closedAt.forEach((window, t0) -> h.get(0).add(windowAt.get(window) - t0));
        predictionAt.forEach((prediction, t2) -> {
            String window = windowOfPrediction.get(prediction);
            Long t1 = windowAt.get(window);
            Long t0 = closedAt.get(window);
            if (t1 == null || t0 == null) {
                return;
            }
            h.get(1).add(t2 - t1);
            h.get(3).add(t2 - t0);
            Long t3 = commandAt.get(prediction);
            if (t3 != null) {
                h.get(2).add(t3 - t2);
                h.get(4).add(t3 - t0);
            }
        });
        return hops;
    }

    private static void report(Map<String, List<Long>> hops, int minutes, int warmup, int zones) {
        System.out.printf(Locale.ROOT, "%nloop latency, %d zone(s), minutes %d-%d measured (%d warm-up), ms:%n", zones, warmup + 1,
                minutes, warmup);
        System.out.println("| hop | n | p50 | p90 | p99 | max |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        hops.forEach((hop, values) -> {
            List<Long> sorted = values.stream().sorted().toList();
            System.out.printf(Locale.ROOT, "| %s | %d | %s | %s | %s | %s |%n", hop, sorted.size(), pct(sorted, 0.50),
                    pct(sorted, 0.90), pct(sorted, 0.99), sorted.isEmpty() ? "-" : sorted.get(sorted.size() - 1).toString());
        });
    }

    /**
     * How long each function's spans of the measured minutes lasted, by service, name and kind:
     * the part of each hop a function spent on its own work (its server span), and in what.
     */
    private static void spanReport(List<OtlpReceiver.ReceivedSpan> spans, long fromUnixNanos) {
        Map<String, List<Long>> byName = new TreeMap<>();
        for (OtlpReceiver.ReceivedSpan span : spans) {
            if (span.startUnixNanos() >= fromUnixNanos) {
                byName.computeIfAbsent(span.service() + " | " + span.name() + " | " + span.kind(), k -> new ArrayList<>())
                        .add(Math.round(span.millis() * 1_000));
            }
        }
        System.out.println("| service | span | kind | n | p50 ms | p90 ms | p99 ms |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
        byName.forEach((name, micros) -> {
            List<Long> sorted = micros.stream().sorted().toList();
            System.out.printf(Locale.ROOT, "| %s | %d | %s | %s | %s |%n", name, sorted.size(), millis(sorted, 0.50),
                    millis(sorted, 0.90), millis(sorted, 0.99));
        });
    }

    private static String millis(List<Long> sortedMicros, double q) {
        return String.format(Locale.ROOT, "%.1f", nearestRank(sortedMicros, q) / 1000.0);
    }

    private static String pct(List<Long> sorted, double q) {
        return sorted.isEmpty() ? "-" : Long.toString(nearestRank(sorted, q));
    }

    /** The nearest-rank percentile of a sorted, non-empty list. */
    private static long nearestRank(List<Long> sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
