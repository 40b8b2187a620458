package dev.greenloop.bench.monitor;

import dev.greenloop.events.EventTypes;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.FeatureWindow;
import dev.greenloop.events.payload.Prediction;
import dev.greenloop.events.payload.SensorKind;
import dev.greenloop.events.payload.TargetValue;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.testkit.ChildProcess;
import dev.greenloop.testkit.FreePorts;
import dev.greenloop.testkit.http.ClosedLoop;
import dev.greenloop.testkit.mongo.MongoWireServer;
import dev.greenloop.testkit.oidc.OidcIssuer;

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
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;

/**
 * monitor under load, as a process: each client is a zone and sends, minute after minute, the
 * zone's feature window and the champion's prediction made from it (horizon 15 min), as the
 * Broker's Triggers deliver them (binary mode, an OIDC token per sender). Every prediction finds
 * its target window 15 minutes later and becomes an outcome, so the figure includes the join.
 * Prints events/s (windows plus predictions) and the latency of each delivery.
 */
public final class MonitorLoad {

    private static final int CLIENTS = Integer.getInteger("bench.clients", 8);
    private static final int SECONDS = Integer.getInteger("bench.seconds", 20);
    /** Long enough for C2 to have compiled the hot paths on two busy cores (at 10 s the figure is half). */
    private static final int WARMUP = Integer.getInteger("bench.warmup", 40);
    private static final OidcIssuer ISSUER = OidcIssuer.start();

    private MonitorLoad() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Paths.get(System.getProperty("bench.monitor.jar", "functions/monitor/target/quarkus-app/quarkus-run.jar"));
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " does not exist; build it with "
                    + "./mvnw -B package -DskipTests -pl functions/monitor -am");
        }
        try (MongoWireServer mongo = MongoWireServer.start()) {
            int port = FreePorts.next();
            Path log = Paths.get(System.getProperty("greenloop.testkit.dir", "target/testkit"), "monitor-bench.log");
            Files.createDirectories(log.getParent());
            List<String> command = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString()));
            // The JVM's options, replaced as a whole (two collectors cannot both be chosen).
            command.addAll(List.of(System.getProperty("bench.monitor.jvm", "-Xmx512m -XX:+UseParallelGC").trim().split("\\s+")));
            command.addAll(List.of("-Dquarkus.http.port=" + port,
                    "-Dquarkus.management.port=" + dev.greenloop.testkit.FreePorts.next(), "-Dgreenloop.mongodb.connection-string=" + mongo.connectionString(),
                    "-Dgreenloop.events.oidc.issuer=" + ISSUER.issuer(), "-jar", jar.toString()));
            ChildProcess monitor = ChildProcess.start("monitor", command, Path.of("").toAbsolutePath(), Map.of(), log);
            try {
                monitor.awaitReady(ChildProcess.httpOk(URI.create("http://127.0.0.1:" + port + "/q/health/ready")),
                        Duration.ofSeconds(90));
                run(URI.create("http://127.0.0.1:" + port + "/"));
                System.out.printf(Locale.ROOT, "monitor RSS after the load: %d MiB (peak %d MiB)%n",
                        monitor.rssKiB() / 1024, monitor.peakRssKiB() / 1024);
            } finally {
                monitor.stop(Duration.ZERO);
            }
        }
        System.exit(0);
    }

    private static void run(URI uri) throws Exception {
        String token = "Bearer " + ISSUER.token("greenloop-monitor");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(Executors.newFixedThreadPool(4)).build();
        Instant base = Instant.parse("2026-06-01T00:00:00Z");
        long[] minute = new long[CLIENTS];
        FeatureWindow[] window = new FeatureWindow[CLIENTS];
        // Each client sends its zone's window, then the prediction made from it, minute after minute.
        ClosedLoop.Request send = client -> {
            String type;
            byte[] data;
            if (window[client] == null) {
                window[client] = window("gh-bench", "zone-" + client, base.plusSeconds(60 * minute[client]++));
                type = EventTypes.FEATURES_WINDOW;
                data = PayloadCodec.write(window[client]);
            } else {
                FeatureWindow w = window[client];
                window[client] = null;
                type = EventTypes.PREDICTION;
                data = PayloadCodec.write(new Prediction(w.greenhouseId(), w.zoneId(), w.windowId(), w.windowEnd(),
                        "greenloop-gh-bench", "1", "v1", List.of(new TargetValue(SensorKind.AIR_TEMPERATURE, 15, 21.0)), false));
            }
            HttpRequest request = HttpRequest.newBuilder(uri).header("ce-specversion", "1.0")
                    .header("ce-id", UUID.randomUUID().toString()).header("ce-source", "/bench")
                    .header("ce-type", type).header("Content-Type", "application/json")
                    .header("Authorization", token).POST(HttpRequest.BodyPublishers.ofByteArray(data)).build();
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status / 100 != 2) {
                throw new IllegalStateException("status " + status);
            }
        };
        ClosedLoop.run(CLIENTS, Duration.ofSeconds(WARMUP), send);
        ClosedLoop.Result measured = ClosedLoop.run(CLIENTS, Duration.ofSeconds(SECONDS), send);
        System.out.printf(Locale.ROOT, "| monitor | %d zones | %,.0f events/s (windows + predictions) | p50 %.2f ms | p99 %.2f ms |%n",
                CLIENTS, measured.perSecond(), measured.millis(50), measured.millis(99));
    }

    /** A window of the full feature spec, air temperature following a slow wave. */
    static FeatureWindow window(String greenhouse, String zone, Instant end) {
        List<String> names = FeatureSpec.V1.names();
        List<Double> values = new ArrayList<>(Collections.nCopies(names.size(), 0.5));
        double t = 21 + Math.sin(end.getEpochSecond() / 3600.0);
        values.set(names.indexOf("air_temperature_last"), t);
        values.set(names.indexOf("air_temperature_mean"), t);
        values.set(names.indexOf("air_temperature_missing"), 0.0);
        return new FeatureWindow("win-" + zone + "-" + end.toEpochMilli(), greenhouse, zone, end.minusSeconds(60), end, "v1",
                names, values, List.of("readings-" + UUID.randomUUID()));
    }
}
