package dev.greenloop.local;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.greenloop.events.EventType;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.clock.ClockFile;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.ActuatorState;
import dev.greenloop.events.payload.ControlCommand;
import dev.greenloop.events.payload.FeatureWindow;
import dev.greenloop.events.payload.Prediction;
import dev.greenloop.events.payload.Reading;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.events.signing.KeyRing;
import dev.greenloop.features.FeatureCalculator;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.features.RawReading;
import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.deadletters.DeadLetter;
import dev.greenloop.events.json.EventJson;
import dev.greenloop.events.kafka.KafkaEvents;
import dev.greenloop.local.wiring.Manifests;
import dev.greenloop.preprocess.archive.RawRow;
import dev.greenloop.simulator.GreenhouseSimulator;
import dev.greenloop.testkit.mlflow.TestModelScript;
import io.cloudevents.CloudEvent;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Faults survived with nothing lost, counted end to end, in the style of Jepsen: inject the
 * fault, then count. The whole local stack (Kafka, HDFS, MongoDB-wire with its data on disk,
 * MLflow with a champion, the six functions as their packaged apps, the dispatcher playing
 * Knative Eventing from {@code eventing/}) runs a greenhouse of two zones for 126 simulated
 * minutes in lock step. One at a time, at chosen minutes, a function is killed with SIGKILL
 * with the minute's events in flight and started again (preprocess, infer, control, monitor),
 * ingest is killed before the gateway posts, the actuator gateway dies between applying commands
 * and committing them, HDFS (at the hourly archive), MongoDB and Kafka are stopped and started
 * again with their data, and one HDFS DataNode of two is stopped for the last archive. Then one
 * dead letter is added as the KafkaSink would write it (a window infer failed, which it has
 * since predicted), the dead letters are replayed through
 * monitor's operator API (the cluster's {@code ./greenloop dead-letters replay}), and it counts:
 * <ul>
 *   <li>every reading ingest acknowledged is on {@code greenhouse.readings}, any second copy
 *       being the same event (its id) sent again;</li>
 *   <li>the archive holds every record up to its committed offsets exactly once, and every
 *       acknowledged reading among them;</li>
 *   <li>every zone's window of every minute was emitted, each under one id, every copy with the
 *       same features, and those are the features {@code libs/features} computes offline from
 *       the acknowledged readings;</li>
 *   <li>every window was predicted, one prediction per window and model version;</li>
 *   <li>monitor stored every window once and scored every prediction whose horizon was measured;</li>
 *   <li>no prediction gave two commands for an actuator, and the gateway applied every command
 *       on the topic exactly once (a copy read again after its crash is refused as a replay).</li>
 * </ul>
 * The faults, what they cost and how long the loop took to settle again are written to
 * {@code target/fault-suite.md} (the table in docs/reliability.md comes from it).
 */
class FaultSuiteIT {

    private static final String GREENHOUSE = Demo.GREENHOUSE;
    private static final List<String> ZONES = List.of("zone-a", "zone-b");
    /** To minute 126: the hourly archive's pings at minutes 5, 65 and 125 all fire. */
    private static final int MINUTES = 126;
    private static final String READINGS = "greenhouse.readings";
    private static final String COMMANDS = "greenhouse.commands";
    private static final FeatureSpec SPEC = FeatureSpec.CURRENT;

    /** What a fault does before the minute's readings are posted and after. */
    private record Fault(String what, Step before, Step after) {
    }

    private interface Step {
        void run() throws Exception;
    }

    /** A fault as it went: real seconds from injection until the loop settled again. */
    private record Outcome(int minute, String what, double recoverySeconds, boolean settled) {
    }

    @Test
    void theLoopSurvivesEachFaultInTurnWithNothingLostAndNothingDoneTwice() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path work = root.resolve("local/target/fault-work");
        System.setProperty("greenloop.testkit.dir", work.resolve("services").toString());
        Files.createDirectories(work);
        Progress progress = new Progress(false);
        Demo.Secrets secrets = Demo.Secrets.generate();
        KeyRing keys = KeyRing.parse(secrets.keySpec());
        Instant from = Instant.now().truncatedTo(ChronoUnit.HOURS);
        List<CompletableFuture<Void>> restarts = new ArrayList<>();

        try (Stack stack = new Stack(root, work).withDurableMongo();
             ClockFile clock = ClockFile.create(work.resolve("clock"))) {
            stack.startServices(progress);
            String bootstrap = stack.kafka().bootstrapServers();
            for (String topic : List.of(READINGS, COMMANDS, Dispatcher.BROKER_TOPIC)) {
                stack.kafka().createTopic(topic, 3);
            }
            stack.kafka().createTopic("greenhouse.readings.quarantine", 1);
            // Every function reads the simulated time from the start.
            clock.set(from);
            try (Dispatcher dispatcher = new Dispatcher(Manifests.load(root.resolve("eventing")),
                    Manifests.load(root.resolve("knative/base")), bootstrap, stack::url,
                    Clock.systemUTC())) {
                stack.kafka().createTopic(dispatcher.deadLetterTopic(), 1);
                progress.step("registering a champion for " + GREENHOUSE);
                TestModelScript.register(root.resolve("trainer"), stack.mlflow().trackingUri(), Map.of(),
                        "greenloop-" + GREENHOUSE, "champion", 0.0);
                Demo.Settings settings = Demo.settings(stack, dispatcher, clock, secrets, ZONES, stack.trainerPython(),
                        "air_temperature", false, 0);
                stack.startFunctions(settings.properties(), settings.env(), progress);
                DemoZones.write(stack.mongo().connectionString(), List.of(GREENHOUSE), ZONES);
                dispatcher.start();
                dispatcher.pingsInLockStep(from);

                try (Gateway gateway = new Gateway(new GreenhouseSimulator(GREENHOUSE, ZONES, from, 11, 0),
                        stack.url("ingest"), stack.url("control"), secrets.deviceToken(), "gateway-1", keys, bootstrap,
                        clock.clock(Clock.systemUTC())).keepAccepted();
                     MongoClient store = MongoClients.create(stack.mongo().connectionString());
                     Settle settle = new Settle(bootstrap, g -> !g.equals("greenloop-archive"));
                     Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                    gateway.startCommands(COMMANDS, store.getDatabase("greenhouse-gateway").getCollection("nonces"));

                    Map<Integer, Fault> faults = faults(stack, gateway, restarts);
                    List<Outcome> outcomes = new ArrayList<>();
                    Map<TopicPartition, Long> beforeLastArchive = Map.of();
                    for (int m = 1; m <= MINUTES; m++) {
                        Instant t = from.plus(Duration.ofMinutes(m));
                        Fault fault = faults.get(m);
                        if (m == MINUTES - 1) {
                            beforeLastArchive = endOffsets(admin, READINGS);
                        }
                        long injected = System.nanoTime();
                        if (fault != null) {
                            progress.step("minute " + m + ": " + fault.what());
                            fault.before().run();
                        }
                        clock.set(t);
                        dispatcher.firePings(t);
                        gateway.advanceTo(t, 1);
                        if (fault != null) {
                            fault.after().run();
                        }
                        boolean settled = settle.await(Duration.ofSeconds(fault != null ? 150 : 30), Duration.ofMillis(5))
                                .settled();
                        if (fault != null) {
                            outcomes.add(new Outcome(m, fault.what(), (System.nanoTime() - injected) / 1e9, settled));
                        }
                    }
                    for (CompletableFuture<Void> r : restarts) {
                        r.join();
                    }
                    assertThat(settle.await(Duration.ofSeconds(120), Duration.ofMillis(20)).settled()).as("the loop settled after the run")
                            .isTrue();

                    // The dead letters, by reason, replayed once their cause is mended, through the
                    // cluster's form of the tool (monitor's operator API, posting to the Broker with
                    // its own token). One more is put there every run, as the KafkaSink would after
                    // infer failed a window it has since predicted, so the replay always runs and
                    // the counts below show it changed nothing.
                    List<CloudEvent> deadLetters = all(bootstrap, dispatcher.deadLetterTopic());
                    Map<String, Long> deadByReason = deadLetters.stream().collect(Collectors.groupingBy(
                            e -> e.getType() + " → " + e.getExtension("knativeerrordest") + " " + e.getExtension("knativeerrorcode"),
                            TreeMap::new, Collectors.counting()));
                    CloudEvent delivered = all(bootstrap, Dispatcher.BROKER_TOPIC).stream()
                            .filter(e -> EventTypes.FEATURES_WINDOW.equals(e.getType())).findFirst().orElseThrow();
                    injectDeadLetter(bootstrap, dispatcher.deadLetterTopic(), DeadLetter.failed(delivered,
                            stack.url("infer").toString(), 503, "{\"detail\":\"injected by the fault suite\"}"));
                    int replayed = replayThroughMonitor(stack.url("monitor"), secrets.operatorToken(), deadLetters.size() + 1,
                            delivered.getId());
                    assertThat(replayed).as("dead letters replayed").isEqualTo(deadLetters.size() + 1);
                    assertThat(settle.await(Duration.ofSeconds(120), Duration.ofMillis(20)).settled())
                            .as("the loop settled after the replay").isTrue();
                    Map<TopicPartition, Long> archived = awaitArchive(admin, beforeLastArchive);

                    Ledger ledger = count(stack, bootstrap, gateway, archived, from);
                    report(work.getParent().resolve("fault-suite.md"), outcomes, deadByReason, ledger);
                    ledger.assertNothingLostOrDoneTwice();
                }
            }
        } finally {
            restarts.forEach(r -> r.cancel(true));
        }
    }

    /** The faults by the minute they come in. */
    private static Map<Integer, Fault> faults(Stack stack, Gateway gateway, List<CompletableFuture<Void>> restarts) {
        Step nothing = () -> { };
        Map<Integer, Fault> f = new LinkedHashMap<>();
        for (var kill : Map.of(10, "preprocess", 20, "infer", 30, "control").entrySet()) {
            String function = kill.getValue();
            f.put(kill.getKey(), new Fault(function + " killed (SIGKILL) with the minute's events in flight, started again",
                    nothing, () -> {
                        stack.kill(function);
                        stack.restart(function);
                    }));
        }
        f.put(40, new Fault("ingest killed (SIGKILL) just before the gateway posts, started again", () -> {
            stack.kill("ingest");
            restarts.add(CompletableFuture.runAsync(() -> stack.restart("ingest")));
        }, nothing));
        f.put(50, new Fault("the actuator gateway dies between applying commands and committing them, and starts again",
                () -> restarts.add(CompletableFuture.runAsync(() -> {
                    try {
                        gateway.crashAndRestartCommands(Duration.ofSeconds(30));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                })), nothing));
        f.put(105, new Fault("monitor killed (SIGKILL) with the minute's windows and predictions in flight, started again",
                nothing, () -> {
                    stack.kill("monitor");
                    stack.restart("monitor");
                }));
        f.put(65, new Fault("HDFS (NameNode and DataNodes) stopped as the hourly archive is asked for, started again 5 s later",
                () -> {
                    stack.hdfs().stop();
                    restarts.add(later(Duration.ofSeconds(5), () -> stack.hdfs().restart()));
                }, nothing));
        f.put(125, new Fault("one HDFS DataNode of two stopped as the last hourly archive is asked for, started again 30 s later",
                () -> {
                    stack.hdfs().stopDataNode();
                    restarts.add(later(Duration.ofSeconds(30), () -> stack.hdfs().restartDataNode()));
                }, nothing));
        f.put(80, new Fault("MongoDB stopped as the gateway posts, started again 3 s later with its data", () -> {
            stack.mongo().stop();
            restarts.add(later(Duration.ofSeconds(3), () -> stack.mongo().restart()));
        }, nothing));
        f.put(95, new Fault("Kafka stopped as the gateway posts, started again 3 s later with its data", () -> {
            stack.kafka().stop();
            restarts.add(later(Duration.ofSeconds(3), () -> stack.kafka().restart()));
        }, nothing));
        return f;
    }

    private static CompletableFuture<Void> later(Duration delay, Runnable action) {
        return CompletableFuture.runAsync(action, CompletableFuture.delayedExecutor(delay.toMillis(),
                java.util.concurrent.TimeUnit.MILLISECONDS));
    }

    /** Waits until the archive's consumer group has committed at least {@code offsets}; its committed offsets. */
    private static Map<TopicPartition, Long> awaitArchive(Admin admin, Map<TopicPartition, Long> offsets) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (true) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("greenloop-archive")
                    .partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, Long> at = new HashMap<>();
            committed.forEach((p, o) -> {
                if (o != null && p.topic().equals(READINGS)) {
                    at.put(p, o.offset());
                }
            });
            if (offsets.entrySet().stream().allMatch(e -> at.getOrDefault(e.getKey(), 0L) >= e.getValue())) {
                return at;
            }
            assertThat(System.nanoTime()).as("the archive reached %s; committed %s", offsets, at).isLessThan(deadline);
            Thread.sleep(500);
        }
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (var p : admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()) {
            latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> out = new HashMap<>();
        admin.listOffsets(latest).all().get().forEach((p, o) -> out.put(p, o.offset()));
        return out;
    }

    /** Writes {@code deadLetter} to the dead-letter topic as the KafkaSink does. */
    private static void injectDeadLetter(String bootstrap, String topic, CloudEvent deadLetter) throws Exception {
        try (KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(KafkaEvents.producerConfig(bootstrap))) {
            producer.send(KafkaEvents.record(topic, deadLetter)).get();
        }
    }

    /**
     * Lists the dead letters through monitor's API (it must see {@code expected}, {@code injected}
     * among them), replays all of them and lists again (each marked replayed); the count replayed.
     */
    private static int replayThroughMonitor(URI monitor, String operatorToken, int expected, String injected) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest.Builder list = HttpRequest.newBuilder(monitor.resolve("/v1/dead-letters?limit=10000"))
                .header("Authorization", "Bearer " + operatorToken);
        JsonNode before = EventJson.mapper().readTree(http.send(list.build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(before.path("total").asInt()).as("monitor's list: %s", before).isEqualTo(expected);
        List<String> ids = new ArrayList<>();
        before.path("letters").forEach(l -> ids.add(l.path("id").asText()));
        assertThat(ids).contains(injected);
        HttpResponse<String> replay = http.send(HttpRequest.newBuilder(monitor.resolve("/v1/dead-letters/replay"))
                .header("Authorization", "Bearer " + operatorToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"all\":true}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(replay.statusCode()).as("monitor's replay: %s", replay.body()).isEqualTo(200);
        JsonNode after = EventJson.mapper().readTree(http.send(list.build(), HttpResponse.BodyHandlers.ofString()).body());
        after.path("letters").forEach(l -> assertThat(l.path("replayed").asBoolean()).as("%s replayed", l).isTrue());
        return EventJson.mapper().readTree(replay.body()).path("replayed").size();
    }

    private static List<CloudEvent> all(String bootstrap, String topic) {
        return TopicRecords.all(bootstrap, topic).stream().map(ConsumerRecord::value).toList();
    }

    /** A reading or actuator state as ingest, the topic and the archive all name it. */
    private static String key(String zone, String kind, String name, long millis) {
        return zone + "|" + kind + "|" + name + "|" + millis;
    }

    /** What the run left, counted. */
    private static Ledger count(Stack stack, String bootstrap, Gateway gateway, Map<TopicPartition, Long> archivedTo,
                                Instant from) throws Exception {
        Ledger l = new Ledger();
        // The gateway's ledger: what ingest acknowledged.
        Map<String, List<RawReading>> readingsByZone = new HashMap<>();
        for (ReadingsBatch b : gateway.accepted()) {
            for (Reading r : b.readings()) {
                l.acknowledged.add(key(b.zoneId(), "sensor", r.sensor().wireName(), r.timestamp().toEpochMilli()));
                readingsByZone.computeIfAbsent(b.zoneId(), z -> new ArrayList<>()).add(RawReading.of(r));
            }
            for (ActuatorState a : b.actuators()) {
                l.acknowledged.add(key(b.zoneId(), "actuator", a.actuator().wireName(), a.timestamp().toEpochMilli()));
                RawReading.of(a).ifPresent(raw -> readingsByZone.computeIfAbsent(b.zoneId(), z -> new ArrayList<>()).add(raw));
            }
        }
        // The topic: every item, with the events that carry it.
        Map<String, Set<String>> topicCopies = new HashMap<>();
        Map<String, Set<String>> eventsOfItem = new HashMap<>();
        Set<String> archivable = new HashSet<>();
        Set<String> archivableItems = new HashSet<>();
        for (ConsumerRecord<String, CloudEvent> r : TopicRecords.all(bootstrap, READINGS)) {
            ReadingsBatch b = PayloadCodec.read(EventType.SENSOR_READINGS, r.value().getData().toBytes());
            String position = r.partition() + ":" + r.offset();
            boolean inArchive = r.offset() < archivedTo.getOrDefault(new TopicPartition(READINGS, r.partition()), 0L);
            if (inArchive) {
                archivable.add(position);
            }
            List<String> items = new ArrayList<>();
            b.readings().forEach(x -> items.add(key(b.zoneId(), "sensor", x.sensor().wireName(), x.timestamp().toEpochMilli())));
            b.actuators().forEach(x -> items.add(key(b.zoneId(), "actuator", x.actuator().wireName(), x.timestamp().toEpochMilli())));
            for (String item : items) {
                topicCopies.computeIfAbsent(item, k -> new HashSet<>()).add(position);
                eventsOfItem.computeIfAbsent(item, k -> new HashSet<>()).add(r.value().getId());
                if (inArchive) {
                    archivableItems.add(item);
                }
            }
            l.records++;
        }
        l.acknowledged.forEach(item -> {
            if (!topicCopies.containsKey(item)) {
                l.lostFromTopic.add(item);
            }
        });
        topicCopies.forEach((item, copies) -> {
            if (copies.size() > 1) {
                l.resentCopies += copies.size() - 1;
            }
        });
        eventsOfItem.forEach((item, ids) -> {
            if (ids.size() > 1) {
                l.itemsInTwoEvents.add(item + " in " + ids);
            }
        });

        // The archive: every record below its committed offsets once, every acknowledged reading among them.
        Map<String, Integer> archivedRecords = new HashMap<>();
        Set<String> archivedItems = new HashSet<>();
        Configuration conf = new Configuration();
        stack.hdfs().clientConfig().forEach(conf::set);
        try (FileSystem fs = FileSystem.newInstance(stack.hdfs().uri(), conf)) {
            RemoteIterator<LocatedFileStatus> files = fs.listFiles(new org.apache.hadoop.fs.Path(
                    "/greenloop/raw/greenhouse=" + GREENHOUSE), true);
            Set<String> rowsSeen = new HashSet<>();
            while (files.hasNext()) {
                org.apache.hadoop.fs.Path file = files.next().getPath();
                if (!file.getName().endsWith(".parquet")) {
                    continue;
                }
                try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), file).withConf(conf).build()) {
                    for (Group g = reader.read(); g != null; g = reader.read()) {
                        RawRow row = RawRow.of(g);
                        String at = row.partition() + ":" + row.offset();
                        if (!rowsSeen.add(at + "#" + row.itemIndex())) {
                            l.archivedTwice.add(at + "#" + row.itemIndex());
                        }
                        if (row.itemIndex() == 0) {
                            archivedRecords.merge(at, 1, Integer::sum);
                        }
                        archivedItems.add(key(row.zone(), row.kind(), row.name(), row.timestamp()));
                    }
                }
            }
        }
        l.archivedRecords = archivedRecords.size();
        archivable.forEach(p -> {
            if (!archivedRecords.containsKey(p)) {
                l.missingFromArchive.add(p);
            }
        });
        l.acknowledged.stream().filter(archivableItems::contains).filter(i -> !archivedItems.contains(i))
                .forEach(l.missingFromArchive::add);

        // Windows, predictions: from the Broker's topic.
        Map<String, List<FeatureWindow>> windows = new HashMap<>();
        Map<String, Map<String, Set<String>>> predictions = new HashMap<>();
        Map<String, Instant> predictionWindowEnd = new HashMap<>();
        for (CloudEvent e : all(bootstrap, Dispatcher.BROKER_TOPIC)) {
            if (!GREENHOUSE.equals(String.valueOf(e.getExtension("greenhouseid")))) {
                continue;
            }
            if (e.getType().equals(EventTypes.FEATURES_WINDOW)) {
                FeatureWindow w = PayloadCodec.read(EventType.FEATURES_WINDOW, e.getData().toBytes());
                windows.computeIfAbsent(w.windowId(), k -> new ArrayList<>()).add(w);
            } else if (e.getType().equals(EventTypes.PREDICTION)) {
                Prediction p = PayloadCodec.read(EventType.PREDICTION, e.getData().toBytes());
                if (!p.shadow()) {
                    predictions.computeIfAbsent(p.windowId(), k -> new HashMap<>())
                            .computeIfAbsent(p.modelVersion(), k -> new HashSet<>()).add(e.getId());
                    // monitor keys a prediction by window and model (Outcomes.predictionId), not by event id.
                    predictionWindowEnd.put(dev.greenloop.events.Events.derivedId("prediction", p.windowId(), p.modelName(),
                            p.modelVersion()), p.windowEnd());
                }
            }
        }
        FeatureCalculator calculator = new FeatureCalculator(SPEC);
        Map<String, Map<Instant, String>> windowIdByZoneAndStart = new HashMap<>();
        for (var entry : windows.entrySet()) {
            List<FeatureWindow> copies = entry.getValue();
            FeatureWindow first = copies.get(0);
            l.windows++;
            l.windowCopies += copies.size() - 1;
            if (copies.stream().anyMatch(c -> !c.values().equals(first.values()))) {
                l.windowsWithTwoFeatureSets.add(first.windowId());
            }
            String before = windowIdByZoneAndStart.computeIfAbsent(first.zoneId(), z -> new HashMap<>())
                    .put(first.windowStart(), first.windowId());
            if (before != null) {
                l.windowsWithTwoFeatureSets.add(first.zoneId() + " " + first.windowStart() + " under two ids");
            }
            double[] offline = calculator.compute(first.windowStart().toEpochMilli(), readingsByZone.get(first.zoneId()));
            for (int i = 0; i < offline.length; i++) {
                Double online = first.values().get(i);
                double o = offline[i];
                boolean same = online == null ? Double.isNaN(o) : Math.abs(online - o) <= 1e-9 * Math.max(1, Math.abs(o));
                if (!same) {
                    l.windowsUnlikeOffline.add(first.windowId() + " " + first.featureNames().get(i) + ": " + online + " vs " + o);
                    break;
                }
            }
            Map<String, Set<String>> predicted = predictions.getOrDefault(first.windowId(), Map.of());
            if (predicted.isEmpty()) {
                l.windowsNotPredicted.add(first.zoneId() + " " + first.windowStart());
            }
            predicted.forEach((version, ids) -> {
                l.predictions += ids.size();
                if (ids.size() > 1) {
                    l.windowsPredictedTwice.add(first.windowId() + " by version " + version + ": " + ids);
                }
            });
        }
        // A window of every zone for every minute the stream covered: the first starts with the first
        // reading, the last to close ends the allowed lateness (2 min) before the newest reading.
        for (String zone : ZONES) {
            Map<Instant, String> starts = windowIdByZoneAndStart.getOrDefault(zone, Map.of());
            for (int m = 1; m <= MINUTES - 3; m++) {
                Instant start = from.plus(Duration.ofMinutes(m));
                if (!starts.containsKey(start)) {
                    l.windowsMissing.add(zone + " " + start);
                }
            }
        }

        // monitor: every window stored once; every prediction whose horizon (15 min) was measured has its outcome.
        Instant lastWindowEnd = windows.values().stream().map(c -> c.get(0).windowEnd()).max(Instant::compareTo).orElseThrow();
        try (MongoClient mongo = MongoClients.create(stack.mongo().connectionString())) {
            var db = mongo.getDatabase("greenloop");
            l.monitorWindows = db.getCollection("monitor_windows").countDocuments(
                    com.mongodb.client.model.Filters.eq("greenhouseId", GREENHOUSE));
            Set<String> scored = new HashSet<>();
            db.getCollection("monitor_outcomes").find(com.mongodb.client.model.Filters.eq("greenhouseId", GREENHOUSE))
                    .forEach(d -> scored.add(d.getString("predictionId")));
            predictionWindowEnd.forEach((id, end) -> {
                if (!end.plus(Duration.ofMinutes(15)).isAfter(lastWindowEnd)) {
                    l.outcomesDue++;
                    if (!scored.contains(id)) {
                        l.outcomesMissing.add(id + " (window end " + end + ")");
                    }
                }
            });
        }

        // Commands: one per prediction and actuator; each applied by the gateway exactly once.
        Map<String, ControlCommand> commands = new HashMap<>();
        Map<String, Set<String>> byPredictionAndActuator = new HashMap<>();
        for (CloudEvent e : all(bootstrap, COMMANDS)) {
            ControlCommand c = PayloadCodec.read(EventType.CONTROL_COMMAND, e.getData().toBytes());
            if (!c.greenhouseId().equals(GREENHOUSE)) {
                continue;
            }
            ControlCommand before = commands.put(c.commandId(), c);
            if (before != null && !before.equals(c)) {
                l.commandsRepublishedDifferently.add(c.commandId());
            }
            if (c.predictionId() != null) {
                byPredictionAndActuator.computeIfAbsent(c.predictionId() + " " + c.actuator().wireName(), k -> new HashSet<>())
                        .add(c.commandId());
            }
        }
        l.commands = commands.size();
        byPredictionAndActuator.forEach((k, ids) -> {
            if (ids.size() > 1) {
                l.predictionsActedOnTwice.add(k + ": " + ids);
            }
        });
        Map<String, Long> appliedTimes = gateway.applied().stream().filter(a -> a.outcome().equals("applied"))
                .collect(Collectors.groupingBy(a -> a.command().commandId(), Collectors.counting()));
        l.refusedAsReplays = gateway.applied().stream().filter(a -> a.outcome().contains("REPLAYED")).count();
        gateway.applied().stream().filter(a -> !a.outcome().equals("applied") && !a.outcome().contains("REPLAYED"))
                .forEach(a -> l.commandsRefused.add(a.command().commandId() + " " + a.outcome()));
        for (String id : commands.keySet()) {
            long times = appliedTimes.getOrDefault(id, 0L);
            if (times == 0) {
                // With what the gateway did with it, if it read it at all (an expired command is refused).
                List<String> seen = gateway.applied().stream().filter(a -> a.command().commandId().equals(id))
                        .map(Gateway.Applied::outcome).toList();
                l.commandsNotApplied.add(id + (seen.isEmpty() ? " (never read)" : " " + seen));
            } else if (times > 1) {
                l.commandsAppliedTwice.add(id + " ×" + times);
            }
        }
        return l;
    }

    /** The counts, and what would be a loss or a duplicated effect. */
    private static final class Ledger {
        final Set<String> acknowledged = new HashSet<>();
        long records;
        long resentCopies;
        int archivedRecords;
        int windows;
        int windowCopies;
        int predictions;
        int commands;
        long refusedAsReplays;
        long monitorWindows;
        int outcomesDue;
        final List<String> outcomesMissing = new ArrayList<>();
        final List<String> lostFromTopic = new ArrayList<>();
        final List<String> itemsInTwoEvents = new ArrayList<>();
        final List<String> archivedTwice = new ArrayList<>();
        final List<String> missingFromArchive = new ArrayList<>();
        final List<String> windowsMissing = new ArrayList<>();
        final List<String> windowsWithTwoFeatureSets = new ArrayList<>();
        final List<String> windowsUnlikeOffline = new ArrayList<>();
        final List<String> windowsNotPredicted = new ArrayList<>();
        final List<String> windowsPredictedTwice = new ArrayList<>();
        final List<String> commandsRepublishedDifferently = new ArrayList<>();
        final List<String> predictionsActedOnTwice = new ArrayList<>();
        final List<String> commandsNotApplied = new ArrayList<>();
        final List<String> commandsAppliedTwice = new ArrayList<>();
        final List<String> commandsRefused = new ArrayList<>();

        void assertNothingLostOrDoneTwice() {
            assertThat(acknowledged).as("readings acknowledged").hasSizeGreaterThan(MINUTES * ZONES.size() * 9);
            assertThat(lostFromTopic).as("acknowledged readings missing from the topic").isEmpty();
            assertThat(itemsInTwoEvents).as("readings on the topic in two different events").isEmpty();
            assertThat(archivedRecords).as("records archived").isPositive();
            assertThat(archivedTwice).as("archive rows written twice").isEmpty();
            assertThat(missingFromArchive).as("records or acknowledged readings missing from the archive").isEmpty();
            assertThat(windowsMissing).as("zone-minutes without a window").isEmpty();
            assertThat(windowsWithTwoFeatureSets).as("windows emitted with two feature sets").isEmpty();
            assertThat(windowsUnlikeOffline).as("windows whose features differ from the offline computation").isEmpty();
            assertThat(windowsNotPredicted).as("windows without a prediction").isEmpty();
            assertThat(windowsPredictedTwice).as("windows predicted twice by one version").isEmpty();
            assertThat(monitorWindows).as("windows monitor stored (once each)").isEqualTo(windows);
            assertThat(outcomesDue).as("predictions whose horizon was measured").isPositive();
            assertThat(outcomesMissing).as("predictions monitor never scored").isEmpty();
            assertThat(commands).as("commands").isPositive();
            assertThat(commandsRepublishedDifferently).as("commands published again with other content").isEmpty();
            assertThat(predictionsActedOnTwice).as("predictions that gave an actuator two commands").isEmpty();
            assertThat(commandsNotApplied).as("commands the gateway never applied").isEmpty();
            assertThat(commandsAppliedTwice).as("commands applied twice").isEmpty();
            assertThat(commandsRefused).as("commands refused for another reason than a replay").isEmpty();
        }
    }

    private static void report(Path file, List<Outcome> outcomes, Map<String, Long> deadLetters, Ledger l) throws Exception {
        StringBuilder s = new StringBuilder("# Fault suite (FaultSuiteIT)\n\n| minute | fault | settled again after | |\n| --- | --- | --- | --- |\n");
        for (Outcome o : outcomes) {
            s.append(String.format(Locale.ROOT, "| %d | %s | %.1f s | %s |%n", o.minute(), o.what(), o.recoverySeconds(),
                    o.settled() ? "settled" : "NOT settled within the limit"));
        }
        s.append(String.format(Locale.ROOT, "%nreadings acknowledged %,d; records on the topic %,d (%,d readings in a resent copy"
                        + " of the same event); records archived %,d; windows %,d (%,d redelivered copies); predictions %,d;"
                        + " commands %,d, applied once each, %,d copies refused as replays; monitor: %,d windows stored,"
                        + " %,d predictions due an outcome, %,d without%n",
                l.acknowledged.size(), l.records, l.resentCopies, l.archivedRecords, l.windows, l.windowCopies,
                l.predictions, l.commands, l.refusedAsReplays, l.monitorWindows, l.outcomesDue, l.outcomesMissing.size()));
        s.append("\ndead letters of the run (replayed through monitor with one injected copy of a delivered window): ")
                .append(deadLetters.isEmpty() ? "none" : deadLetters.toString()).append('\n');
        s.append(String.format(Locale.ROOT, "%nlost: topic %d, archive %d, windows %d, predictions %d, commands %d; duplicated"
                        + " effects: readings in two events %d, archive rows %d, windows with two feature sets %d, unlike offline %d,"
                        + " windows predicted twice %d, predictions acted on twice %d, commands applied twice %d%n",
                l.lostFromTopic.size(), l.missingFromArchive.size(), l.windowsMissing.size(), l.windowsNotPredicted.size(),
                l.commandsNotApplied.size(), l.itemsInTwoEvents.size(), l.archivedTwice.size(),
                l.windowsWithTwoFeatureSets.size(), l.windowsUnlikeOffline.size(), l.windowsPredictedTwice.size(),
                l.predictionsActedOnTwice.size(), l.commandsAppliedTwice.size()));
        Files.writeString(file, s);
        System.out.println(s);
    }
}
