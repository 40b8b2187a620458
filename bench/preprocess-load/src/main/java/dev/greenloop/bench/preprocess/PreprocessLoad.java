package dev.greenloop.bench.preprocess;

import com.sun.net.httpserver.HttpServer;
import dev.greenloop.events.Events;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.kafka.KafkaEvents;
import dev.greenloop.events.payload.Reading;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.events.payload.SensorKind;
import dev.greenloop.testkit.ChildProcess;
import dev.greenloop.testkit.oidc.OidcIssuer;
import dev.greenloop.testkit.FreePorts;
import dev.greenloop.testkit.http.ClosedLoop;
import dev.greenloop.testkit.hdfs.HdfsCluster;
import dev.greenloop.testkit.http.ScrapedGauge;
import dev.greenloop.testkit.kafka.KafkaBroker;
import dev.greenloop.testkit.mongo.MongoWireServer;
import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.io.IOException;
import java.net.InetSocketAddress;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load driver for preprocess, against a preprocess process on the test kit's services:
 * <ol>
 *   <li><b>streaming</b>: {@code bench.clients} zones, each posting its readings events (100
 *       readings: 10 signals at 10 instants, one minute of data) in order to the CloudEvent
 *       endpoint, as a KafkaSource delivers a partition; every event closes about one window,
 *       which preprocess posts to a sink in this process;</li>
 *   <li><b>archive</b>: {@code bench.archive.events} such events produced to Kafka, then a ping
 *       (no greenhouse: archive only) timed from the request until preprocess's
 *       {@code greenloop_preprocess_archive_records_total} counts every event: Kafka to Parquet on
 *       HDFS. The ping is answered at once; the archive runs in the background.</li>
 * </ol>
 */
public final class PreprocessLoad {

    private static final int SECONDS = Integer.getInteger("bench.seconds", 20);
    private static final int WARMUP = Integer.getInteger("bench.warmup", 8);
    private static final int CLIENTS = Integer.getInteger("bench.clients", 8);
    private static final int ARCHIVE_EVENTS = Integer.getInteger("bench.archive.events", 40_000);
    private static final SensorKind[] KINDS = {SensorKind.AIR_TEMPERATURE, SensorKind.RELATIVE_HUMIDITY, SensorKind.CO2,
            SensorKind.PAR, SensorKind.OUTSIDE_TEMPERATURE, SensorKind.OUTSIDE_HUMIDITY, SensorKind.GLOBAL_RADIATION,
            SensorKind.WIND_SPEED, SensorKind.PIPE_TEMPERATURE, SensorKind.VENT_OPENING};
    private static final double[] BASE = {22, 75, 600, 400, 12, 80, 300, 3, 45, 20};

    private PreprocessLoad() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Paths.get(System.getProperty("bench.preprocess.jar", "functions/preprocess/target/quarkus-app/quarkus-run.jar"));
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " does not exist; build it with "
                    + "./mvnw -B package -DskipTests -pl functions/preprocess -am");
        }
        AtomicLong windows = new AtomicLong();
        HttpServer sink = HttpServer.create(new InetSocketAddress(FreePorts.LOOPBACK, FreePorts.next()), 0);
        sink.setExecutor(Executors.newFixedThreadPool(4));
        sink.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            windows.incrementAndGet();
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        sink.start();
        try (KafkaBroker kafka = KafkaBroker.start(); MongoWireServer mongo = MongoWireServer.start();
             HdfsCluster hdfs = HdfsCluster.start()) {
            kafka.createTopic("greenhouse.readings", 3);
            int port = FreePorts.next();
            int management = FreePorts.next();
            ChildProcess preprocess = start(jar, port, management, kafka, mongo, hdfs,
                    "http://127.0.0.1:" + sink.getAddress().getPort() + "/");
            try {
                preprocess.awaitReady(ChildProcess.httpOk(URI.create("http://127.0.0.1:" + port + "/q/health/ready")),
                        Duration.ofSeconds(90));
                streaming(port, windows);
                System.out.printf(Locale.ROOT, "preprocess RSS after the streaming load: %d MiB%n", preprocess.rssKiB() / 1024);
                if (ARCHIVE_EVENTS > 0) {
                    archive(port, management, kafka);
                    System.out.printf(Locale.ROOT, "preprocess RSS after the archive: %d MiB (peak %d MiB)%n",
                            preprocess.rssKiB() / 1024, preprocess.peakRssKiB() / 1024);
                }
            } finally {
                preprocess.stop(Duration.ZERO);
            }
        } finally {
            sink.stop(0);
        }
        System.exit(0);
    }

    /** The cluster's service-account issuer, as the functions' sender identity expects one. */
    private static final OidcIssuer ISSUER = OidcIssuer.start();
    /** A token for preprocess, as the KafkaSource sends: minted once a minute, not per event. */
    private static final java.util.function.Supplier<String> TOKEN = new java.util.function.Supplier<>() {
        private volatile String token;
        private volatile long minted;

        @Override
        public String get() {
            if (token == null || System.nanoTime() - minted > 60_000_000_000L) {
                token = "Bearer " + ISSUER.token("greenloop-preprocess");
                minted = System.nanoTime();
            }
            return token;
        }
    };

    private static ChildProcess start(Path jar, int port, int management, KafkaBroker kafka, MongoWireServer mongo, HdfsCluster hdfs,
                                      String sink)
            throws IOException {
        Path log = Paths.get(System.getProperty("greenloop.testkit.dir", "target/testkit"), "preprocess-bench.log");
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m", "-XX:+UseParallelGC"));
        String extra = System.getProperty("bench.preprocess.jvm", "");
        if (!extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        command.addAll(List.of("-Dquarkus.http.port=" + port,
                "-Dquarkus.management.port=" + management,
                "-Dgreenloop.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "-Dgreenloop.mongodb.connection-string=" + mongo.connectionString(),
                "-Dgreenloop.hdfs.uri=" + hdfs.uri(),
                "-Dgreenloop.preprocess.archive.hadoop.dfs.replication=2",
                "-Dgreenloop.preprocess.sink.url=" + sink,
                // Senders are verified as in a cluster: every event carries a token (TOKENS).
                "-Dgreenloop.events.oidc.issuer=" + ISSUER.issuer(),
                "-jar", jar.toString()));
        return ChildProcess.start("preprocess", command, Path.of("").toAbsolutePath(), Map.of(), log);
    }

    /** One minute of a zone's readings: 10 signals at 6-second steps. */
    static ReadingsBatch minute(String greenhouse, String zone, long minuteStart, int m) {
        List<Reading> readings = new ArrayList<>(100);
        for (int step = 0; step < 10; step++) {
            Instant t = Instant.ofEpochMilli(minuteStart + step * 6_000L);
            for (int k = 0; k < KINDS.length; k++) {
                readings.add(new Reading(KINDS[k], BASE[k] + Math.sin((m * 10 + step) / 50.0 + k), KINDS[k].canonicalUnit(), t));
            }
        }
        return new ReadingsBatch(greenhouse, zone, "dev-1", readings, List.of());
    }

    private static void streaming(int port, AtomicLong windows) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + port + "/");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(Executors.newFixedThreadPool(4)).build();
        long base = Instant.parse("2026-06-01T00:00:00Z").toEpochMilli();
        long[] minute = new long[CLIENTS];
        // Each client is a zone and sends its readings minute after minute: every event closes a window.
        ClosedLoop.Request send = client -> {
            long m = minute[client]++;
            ReadingsBatch batch = minute("gh-bench", "zone-" + client, base + m * 60_000L, (int) m);
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .header("ce-specversion", "1.0").header("ce-id", UUID.randomUUID().toString())
                    .header("ce-source", "/bench").header("ce-type", EventTypes.SENSOR_READINGS)
                    .header("Content-Type", "application/json").header("Authorization", TOKEN.get())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(PayloadCodec.write(batch))).build();
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status / 100 != 2) {
                throw new IllegalStateException("status " + status);
            }
        };
        ClosedLoop.run(CLIENTS, Duration.ofSeconds(WARMUP), send);
        long windowsBefore = windows.get();
        ClosedLoop.Result measured = ClosedLoop.run(CLIENTS, Duration.ofSeconds(SECONDS), send);
        System.out.printf(Locale.ROOT, "| streaming | %d zones | %,.0f readings/s | %,.0f events/s | %,.0f windows/s | p50 %.2f ms | p99 %.2f ms |%n",
                CLIENTS, measured.perSecond() * 100, measured.perSecond(), (windows.get() - windowsBefore) / measured.seconds(),
                measured.millis(50), measured.millis(99));
    }

    private static void archive(int port, int management, KafkaBroker kafka) throws Exception {
        long base = Instant.parse("2026-06-10T00:00:00Z").toEpochMilli();
        long bytes = 0;
        try (KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(KafkaEvents.producerConfig(kafka.bootstrapServers()))) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int e = 0; e < ARCHIVE_EVENTS; e++) {
                ReadingsBatch batch = minute("gh-archive", "zone-" + (e % 8), base + (e / 8) * 60_000L, e / 8);
                CloudEvent event = Events.of(batch).id(UUID.randomUUID().toString()).source(URI.create("/bench")).build();
                bytes += event.getData().toBytes().length;
                acks.add(producer.send(new ProducerRecord<>("greenhouse.readings", KafkaEvents.key(event), event)));
            }
            for (Future<RecordMetadata> ack : acks) {
                ack.get();
            }
        }
        HttpClient http = HttpClient.newHttpClient();
        long t0 = System.nanoTime();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .header("ce-specversion", "1.0").header("ce-id", UUID.randomUUID().toString()).header("ce-source", "/bench")
                .header("ce-type", "dev.knative.sources.ping").header("Content-Type", "application/json")
                .header("Authorization", TOKEN.get()).timeout(Duration.ofMinutes(30)).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("archive answered " + response.statusCode() + ": " + response.body());
        }
        // The ping is answered at once; the archive is done when every record is counted.
        ScrapedGauge.await(URI.create("http://127.0.0.1:" + management + "/q/metrics").toURL(),
                "greenloop_preprocess_archive_records_total", ARCHIVE_EVENTS, Duration.ofMinutes(30));
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "| archive | %,d records, %,d readings | %.1f MB of record data | %.1f s | %.1f MB/s | %,.0f readings/s |%n",
                ARCHIVE_EVENTS, ARCHIVE_EVENTS * 100L, bytes / 1e6, secs, bytes / 1e6 / secs, ARCHIVE_EVENTS * 100 / secs);
    }
}
