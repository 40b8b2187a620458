package dev.greenloop.bench.control;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.Prediction;
import dev.greenloop.events.payload.SensorKind;
import dev.greenloop.events.payload.TargetValue;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.onlinestore.OnlineStore;
import dev.greenloop.onlinestore.OnlineVector;
import dev.greenloop.testkit.ChildProcess;
import dev.greenloop.testkit.FreePorts;
import dev.greenloop.testkit.http.ClosedLoop;
import dev.greenloop.testkit.kafka.KafkaBroker;
import dev.greenloop.testkit.mongo.MongoWireServer;
import dev.greenloop.testkit.oidc.OidcIssuer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.bson.Document;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * control under load, as a process: each client is a zone and posts the champion's predictions
 * for it one after another, as the Broker's Trigger delivers them (binary mode, an OIDC token),
 * each for a window newer than the one before. Two cases, one after the other, each with its own
 * zones:
 * <ul>
 *   <li>{@code hold}: the zone's climate and its predictions are inside the bands, so each
 *       decision keeps the actuators as they are (most predictions in a greenhouse);</li>
 *   <li>{@code act}: the zone's settings allow a change at every decision (no dwell) and the
 *       predictions swing between too cold and too warm, so every decision reserves, signs,
 *       publishes (acks=all) and records commands: control's most expensive path.</li>
 * </ul>
 * The measured values are written once per zone through the online store's contract, as
 * preprocess leaves them. Prints predictions/s, the latency of each delivery, the commands that
 * reached {@code greenhouse.commands} (read from the topic's offsets) and control's RSS.
 */
public final class ControlLoad {

    private static final int CLIENTS = Integer.getInteger("bench.clients", 8);
    private static final int SECONDS = Integer.getInteger("bench.seconds", 20);
    /** As for monitor: on two busy cores C2 needs this long to compile the hot paths. */
    private static final int WARMUP = Integer.getInteger("bench.warmup", 40);
    private static final String CASES = System.getProperty("bench.cases", "hold,act");
    private static final String GREENHOUSE = "gh-bench";
    private static final String TOPIC = "greenhouse.commands";
    private static final OidcIssuer ISSUER = OidcIssuer.start();

    private ControlLoad() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Paths.get(System.getProperty("bench.control.jar", "functions/control/target/quarkus-app/quarkus-run.jar"));
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " does not exist; build it with "
                    + "./mvnw -B package -DskipTests -pl functions/control -am");
        }
        try (KafkaBroker kafka = KafkaBroker.start(); MongoWireServer mongo = MongoWireServer.start();
             MongoClient client = MongoClients.create(mongo.connectionString())) {
            kafka.createTopic(TOPIC, 3);
            int port = FreePorts.next();
            int management = FreePorts.next();
            Path log = Paths.get(System.getProperty("greenloop.testkit.dir", "target/testkit"), "control-bench.log");
            Files.createDirectories(log.getParent());
            List<String> command = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString()));
            // The JVM's options, replaced as a whole (two collectors cannot both be chosen).
            command.addAll(List.of(System.getProperty("bench.control.jvm", "-Xmx512m -XX:+UseParallelGC").trim().split("\\s+")));
            byte[] secret = new byte[32];
            new java.security.SecureRandom().nextBytes(secret);
            command.addAll(List.of("-Dquarkus.http.port=" + port,
                    "-Dquarkus.management.port=" + management,
                    "-Dgreenloop.mongodb.connection-string=" + mongo.connectionString(),
                    "-Dgreenloop.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                    "-Dgreenloop.events.oidc.issuer=" + ISSUER.issuer(),
                    "-jar", jar.toString()));
            // The greenhouse's signing key, as the Secret gives it.
            Map<String, String> env = Map.of("GREENLOOP_SIGNING_KEYS",
                    "bench-k1:" + GREENHOUSE + ":" + Base64.getEncoder().encodeToString(secret));
            ChildProcess control = ChildProcess.start("control", command, Path.of("").toAbsolutePath(), env, log);
            try {
                control.awaitReady(ChildProcess.httpOk(URI.create("http://127.0.0.1:" + port + "/q/health/ready")),
                        Duration.ofSeconds(90));
                MongoDatabase db = client.getDatabase("greenloop");
                URI uri = URI.create("http://127.0.0.1:" + port + "/");
                URI metrics = URI.create("http://127.0.0.1:" + management + "/q/metrics");
                for (String c : CASES.split(",")) {
                    Case kind = Case.valueOf(c.trim().toUpperCase(Locale.ROOT));
                    run(uri, db, kafka, kind);
                    Map<String, Double> modes = decisions(metrics, kind);
                    System.out.printf(Locale.ROOT, "  %s: decisions by mode %s%n", kind.name().toLowerCase(Locale.ROOT), modes);
                    if (!modes.keySet().equals(java.util.Set.of("predictive"))) {
                        throw new IllegalStateException("the " + kind + " case's decisions were not all predictive: " + modes
                                + "; see " + log);
                    }
                }
                System.out.printf(Locale.ROOT, "control RSS after the load: %d MiB (peak %d MiB)%n",
                        control.rssKiB() / 1024, control.peakRssKiB() / 1024);
            } finally {
                control.stop(Duration.ZERO);
            }
        }
        System.exit(0);
    }

    enum Case {
        HOLD, ACT
    }

    private static void run(URI uri, MongoDatabase db, KafkaBroker kafka, Case kind) throws Exception {
        String token = "Bearer " + ISSUER.token("greenloop-control");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(Executors.newFixedThreadPool(4)).build();
        List<String> zones = IntStream.range(0, CLIENTS).mapToObj(c -> kind.name().toLowerCase(Locale.ROOT) + "-zone-" + c)
                .collect(Collectors.toList());
        for (String zone : zones) {
            prepare(db, zone, kind);
        }
        long[] lastEnd = new long[CLIENTS];
        long[] sequence = new long[CLIENTS];
        ClosedLoop.Request predict = client -> {
            // Each prediction for a window newer than the last: control ignores the others.
            long windowEnd = Math.max(System.currentTimeMillis(), lastEnd[client] + 1);
            lastEnd[client] = windowEnd;
            Prediction p = prediction(zones.get(client), Instant.ofEpochMilli(windowEnd), kind, sequence[client]++);
            HttpRequest request = HttpRequest.newBuilder(uri).header("ce-specversion", "1.0")
                    .header("ce-id", UUID.randomUUID().toString()).header("ce-source", "/apis/v1/namespaces/greenloop/infer")
                    .header("ce-type", EventTypes.PREDICTION).header("Content-Type", "application/json")
                    .header("Authorization", token).POST(HttpRequest.BodyPublishers.ofByteArray(PayloadCodec.write(p))).build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException("status " + response.statusCode() + ": " + response.body());
            }
        };
        ClosedLoop.run(CLIENTS, Duration.ofSeconds(WARMUP), predict);
        long commandsBefore = commands(kafka);
        ClosedLoop.Result measured = ClosedLoop.run(CLIENTS, Duration.ofSeconds(SECONDS), predict);
        long commands = commands(kafka) - commandsBefore;
        System.out.printf(Locale.ROOT, "| control | %s | %d zones | %,.0f predictions/s | %,.0f commands/s | p50 %.2f ms | p99 %.2f ms |%n",
                kind.name().toLowerCase(Locale.ROOT), CLIENTS, measured.perSecond(), commands / measured.seconds(),
                measured.millis(50), measured.millis(99));
        if (kind == Case.ACT && commands < measured.requests()) {
            throw new IllegalStateException("the act case sent " + commands + " commands for " + measured.requests()
                    + " predictions: its decisions did not all change an actuator");
        }
    }

    /**
     * The zone as preprocess and an operator leave it: measured values in the online store (a
     * mild climate, dark, no wind), and settings. For {@code act}, no dwell and no minimum
     * change on the heating and the vents, so every swing of the prediction moves them.
     */
    private static void prepare(MongoDatabase db, String zone, Case kind) {
        Document settings = new Document("_id", GREENHOUSE + "/" + zone)
                // The same bands day and night: the decision does not depend on the hour of the run.
                .append("dayTemperature", new Document("low", 18).append("high", 26))
                .append("nightTemperature", new Document("low", 18).append("high", 26))
                .append("dayHumidity", new Document("low", 60).append("high", 88))
                .append("nightHumidity", new Document("low", 60).append("high", 88));
        if (kind == Case.ACT) {
            Document noDwell = new Document("minDwellSeconds", 0).append("minChange", 0.1);
            settings.append("actuators", new Document("heating", noDwell).append("vent", noDwell));
        }
        db.getCollection("control_zones").replaceOne(Filters.eq("_id", settings.getString("_id")), settings,
                new ReplaceOptions().upsert(true));
        Map<String, Double> last = Map.of("air_temperature", 22.0, "relative_humidity", 75.0, "co2", 800.0, "par", 0.0,
                "global_radiation", 0.0, "outside_temperature", 12.0, "pipe_temperature", 40.0, "vent_opening", 10.0);
        List<String> names = FeatureSpec.CURRENT.names();
        List<Double> values = new ArrayList<>(names.size());
        for (String name : names) {
            values.add(name.endsWith("_last") ? last.get(name.substring(0, name.length() - "_last".length())) : null);
        }
        // Valid for control's max-measurement-age (10 min): longer than a run.
        Instant end = Instant.now();
        Instant windowStart = end.minusMillis(FeatureSpec.CURRENT.windowMillis());
        new OnlineStore(db).put(new OnlineVector(GREENHOUSE, zone, GREENHOUSE + ":" + zone + ":" + windowStart.toEpochMilli(),
                windowStart, end, FeatureSpec.CURRENT.version(), names, values));
    }

    /** In the bands ({@code hold}), or alternately too cold and too warm by 5 °C ({@code act}). */
    private static Prediction prediction(String zone, Instant windowEnd, Case kind, long sequence) {
        double temperature = kind == Case.HOLD ? 22.0 + (sequence % 5) * 0.1 : (sequence % 2 == 0 ? 17.0 : 27.0);
        List<TargetValue> values = List.of(new TargetValue(SensorKind.AIR_TEMPERATURE, 15, temperature, null, null),
                new TargetValue(SensorKind.RELATIVE_HUMIDITY, 15, 75.0, null, null));
        return new Prediction(GREENHOUSE, zone, GREENHOUSE + ":" + zone + ":" + windowEnd.toEpochMilli(), windowEnd,
                "greenloop-" + GREENHOUSE, "1", FeatureSpec.CURRENT.version(), values, false);
    }

    /** control's decisions for this case's zones, summed by mode ({@code greenloop_control_decisions_total}). */
    private static Map<String, Double> decisions(URI metrics, Case kind) throws Exception {
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body();
        String zonePrefix = "zone=\"" + kind.name().toLowerCase(Locale.ROOT) + "-zone-";
        Map<String, Double> modes = new java.util.TreeMap<>();
        for (String line : text.lines().filter(l -> l.startsWith("greenloop_control_decisions_total{") && l.contains(zonePrefix)).toList()) {
            int at = line.indexOf("mode=\"") + "mode=\"".length();
            modes.merge(line.substring(at, line.indexOf('"', at)), Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
        }
        return modes;
    }

    /** Records on the commands topic so far. */
    private static long commands(KafkaBroker kafka) throws Exception {
        try (Admin admin = kafka.admin()) {
            Map<TopicPartition, OffsetSpec> latest = IntStream.range(0, 3).boxed()
                    .collect(Collectors.toMap(p -> new TopicPartition(TOPIC, p), p -> OffsetSpec.latest()));
            return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
                    .mapToLong(info -> info.offset()).sum();
        }
    }
}
