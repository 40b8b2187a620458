package dev.greenloop.bench.ingest;

import dev.greenloop.events.Events;
import dev.greenloop.events.kafka.KafkaEvents;
import dev.greenloop.events.payload.Reading;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.events.payload.SensorKind;
import dev.greenloop.testkit.ChildProcess;
import dev.greenloop.testkit.FreePorts;
import dev.greenloop.testkit.kafka.KafkaBroker;
import dev.greenloop.testkit.mongo.MongoWireServer;
import io.cloudevents.CloudEvent;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load driver for ingest: posts batches of 1, 100 and 1,000 readings over keep-alive connections
 * to an ingest process on the embedded Kafka broker, and, in the same run with the same records
 * and producer settings (acks=all, idempotence, lz4), drives a plain kafka-clients producer.
 * Each client waits for its answer (HTTP 202, or the producer's ack) before sending again.
 *
 * <p>System properties: {@code bench.seconds} (measured seconds per case, default 20),
 * {@code bench.warmup} (default 8), {@code bench.clients} (concurrent clients, default 16),
 * {@code bench.sizes} (default 1,100,1000), {@code bench.ingest.jar} (default
 * functions/ingest/target/quarkus-app/quarkus-run.jar), {@code bench.ingest.jvm} (ingest's JVM
 * options, default {@code -Xmx512m -XX:+UseParallelGC}; give them all, e.g. with a JFR recording),
 * {@code bench.plain} ({@code false} drives ingest alone: for comparing ingest's own settings).
 */
public final class IngestLoad {

    private static final String TOKEN = "glt_bench-device-token";
    private static final int SECONDS = Integer.getInteger("bench.seconds", 20);
    private static final int WARMUP = Integer.getInteger("bench.warmup", 8);
    private static final int CLIENTS = Integer.getInteger("bench.clients", 16);
    /** Whether to drive the plain producer after ingest, for the ratio (default true). */
    private static final boolean PLAIN = Boolean.parseBoolean(System.getProperty("bench.plain", "true"));

    private IngestLoad() {
    }

    /** One measured case. */
    record Result(String target, int batch, long readings, double seconds, Histogram latency, long rssKb, long errors) {
        double rate() {
            return readings / seconds;
        }

        String row() {
            return String.format(Locale.ROOT, "| %s | %d | %d | %,.0f | %.2f | %.2f | %.2f | %s | %d |", target, batch, CLIENTS,
                    rate(), latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99) / 1000.0,
                    latency.getMaxValue() / 1000.0, rssKb > 0 ? (rssKb / 1024) + " MiB" : "n/a", errors);
        }
    }

    public static void main(String[] args) throws Exception {
        Path jar = Paths.get(System.getProperty("bench.ingest.jar", "functions/ingest/target/quarkus-app/quarkus-run.jar"));
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " does not exist; build it with "
                    + "./mvnw -B package -DskipTests -pl functions/ingest -am");
        }
        List<Integer> sizes = java.util.Arrays.stream(System.getProperty("bench.sizes", "1,100,1000").split(","))
                .map(String::trim).map(Integer::parseInt).toList();
        List<Result> results = new ArrayList<>();
        try (KafkaBroker kafka = KafkaBroker.start(); MongoWireServer mongo = MongoWireServer.start()) {
            kafka.createTopic("greenhouse.readings", 3);
            kafka.createTopic("bench.plain", 3);
            int port = FreePorts.next();
            ChildProcess ingest = startIngest(jar, port, kafka.bootstrapServers(), mongo.connectionString());
            try {
                ingest.awaitReady(ChildProcess.httpOk(URI.create("http://127.0.0.1:" + port + "/q/health/ready")),
                        Duration.ofSeconds(90));
                for (int size : sizes) {
                    results.add(runIngest(port, size, ingest.pid()));
                    if (PLAIN) {
                        results.add(runPlain(kafka.bootstrapServers(), size));
                    }
                }
            } finally {
                ingest.stop(Duration.ZERO);
            }
        }
        System.out.println();
        System.out.println("| target | readings/request | clients | readings/s | p50 ms | p99 ms | max ms | RSS | errors |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        results.forEach(r -> System.out.println(r.row()));
        for (int size : PLAIN ? sizes : List.<Integer>of()) {
            double ingestRate = results.stream().filter(r -> r.batch() == size && r.target().equals("ingest"))
                    .findFirst().orElseThrow().rate();
            double plainRate = results.stream().filter(r -> r.batch() == size && r.target().startsWith("plain"))
                    .findFirst().orElseThrow().rate();
            System.out.printf(Locale.ROOT, "batch %d: ingest / plain producer = %.2f%n", size, ingestRate / plainRate);
        }
        // exec:java waits for every non-daemon thread (the HTTP client's among them).
        System.exit(0);
    }

    private static ChildProcess startIngest(Path jar, int port, String bootstrap, String mongo) throws IOException {
        Path log = Paths.get(System.getProperty("greenloop.testkit.dir", "target/testkit"), "ingest-bench.log");
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString()));
        // ingest's JVM options; the default is the one the earlier figures used.
        String options = System.getProperty("bench.ingest.jvm", "-Xmx512m -XX:+UseParallelGC");
        if (!options.isBlank()) {
            command.addAll(List.of(options.trim().split("\\s+")));
        }
        command.addAll(List.of(
                "-Dquarkus.http.port=" + port, "-Dquarkus.management.port=" + dev.greenloop.testkit.FreePorts.next(),
                "-Dgreenloop.kafka.bootstrap-servers=" + bootstrap,
                "-Dgreenloop.mongodb.connection-string=" + mongo,
                "-Dgreenloop.ingest.auth.bootstrap-device.id=bench-1",
                "-Dgreenloop.ingest.auth.bootstrap-device.greenhouse=gh-bench",
                "-Dgreenloop.ingest.auth.bootstrap-device.zones=zone-a",
                "-Dgreenloop.ingest.auth.bootstrap-device.token=" + TOKEN,
                "-Dgreenloop.ingest.limits.device-items-per-second=100000000",
                "-Dgreenloop.ingest.limits.device-burst-items=100000000",
                "-jar", jar.toString()));
        return ChildProcess.start("ingest", command, Path.of("").toAbsolutePath(), Map.of(), log);
    }

    /** Request bodies with distinct, recent timestamps: {@code count} bodies of {@code size} readings. */
    static List<ReadingsBatch> batches(int size, int count) {
        Instant base = Instant.now().minus(Duration.ofDays(2)).truncatedTo(ChronoUnit.SECONDS);
        SensorKind[] kinds = {SensorKind.AIR_TEMPERATURE, SensorKind.RELATIVE_HUMIDITY, SensorKind.CO2, SensorKind.PAR};
        double[] values = {22.0, 75.0, 600.0, 400.0};
        String[] units = {"degC", "%", "ppm", "umol/m2/s"};
        List<ReadingsBatch> batches = new ArrayList<>();
        long second = 0;
        for (int b = 0; b < count; b++) {
            List<Reading> readings = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                int k = i % kinds.length;
                if (k == 0) {
                    second += 10;
                }
                readings.add(new Reading(kinds[k], values[k] + (i % 7) * 0.1, units[k], base.plusSeconds(second)));
            }
            batches.add(new ReadingsBatch("gh-bench", "zone-a", "bench-1", readings, List.of()));
        }
        return batches;
    }

    private static Result runIngest(int port, int size, long pid) throws Exception {
        List<byte[]> bodies = batches(size, 64).stream().map(dev.greenloop.events.json.PayloadCodec::write).toList();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newFixedThreadPool(4)).build();
        URI uri = URI.create("http://127.0.0.1:" + port + "/v1/greenhouses/gh-bench/readings");
        return drive("ingest", size, pid, (client, i) -> {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(uri)
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get((int) (i % bodies.size())))).build(),
                    HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() != 202) {
                throw new IllegalStateException("status " + response.statusCode());
            }
        });
    }

    private static Result runPlain(String bootstrap, int size) throws Exception {
        List<CloudEvent> events = new ArrayList<>();
        for (ReadingsBatch batch : batches(size, 64)) {
            events.add(Events.of(batch).id(java.util.UUID.randomUUID().toString()).source(URI.create("/bench")).build());
        }
        Map<String, Object> config = KafkaEvents.producerConfig(bootstrap);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 262144);
        try (KafkaProducer<String, CloudEvent> producer = new KafkaProducer<>(config)) {
            return drive("plain producer", size, -1, (client, i) ->
                    producer.send(KafkaEvents.record("bench.plain", events.get((int) (i % events.size())))).get());
        }
    }

    interface Call {
        void run(int client, long i) throws Exception;
    }

    private static Result drive(String target, int size, long pid, Call call) throws Exception {
        runFor(WARMUP, size, call, null, new AtomicLong());
        Histogram latency = new Histogram(60_000_000L, 3);
        AtomicLong errors = new AtomicLong();
        long start = System.nanoTime();
        long requests = runFor(SECONDS, size, call, latency, errors);
        double seconds = (System.nanoTime() - start) / 1e9;
        long rss = pid > 0 ? rssKb(pid) : rssKb(ProcessHandle.current().pid());
        Result result = new Result(target, size, requests * size, seconds, latency, rss, errors.get());
        System.out.println(result.row());
        return result;
    }

    private static long runFor(int seconds, int size, Call call, Histogram latency, AtomicLong errors) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        List<Future<Long>> done = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            done.add(pool.submit(() -> {
                long count = 0;
                long i = client * 1_000_003L;
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    try {
                        call.run(client, i++);
                        count++;
                        if (latency != null) {
                            synchronized (latency) {
                                latency.recordValue((System.nanoTime() - t0) / 1_000);
                            }
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                }
                return count;
            }));
        }
        long total = 0;
        for (Future<Long> f : done) {
            total += f.get();
        }
        pool.shutdown();
        return total;
    }

    private static long rssKb(long pid) {
        try {
            return Files.readAllLines(Paths.get("/proc/" + pid + "/status")).stream()
                    .filter(l -> l.startsWith("VmRSS:"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(-1);
        } catch (IOException e) {
            return -1;
        }
    }
}
