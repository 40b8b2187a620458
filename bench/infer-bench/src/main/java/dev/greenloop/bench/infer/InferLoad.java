package dev.greenloop.bench.infer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.greenloop.events.json.EventJson;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.testkit.FreePorts;
import dev.greenloop.testkit.mlflow.MlflowServer;
import dev.greenloop.testkit.mlflow.PythonEnvironment;
import dev.greenloop.testkit.oidc.OidcIssuer;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * infer as deployed: the packaged app in its own JVM, the model in a real MLflow server (the
 * test kit's), registered by the trainer's code. Measures cold start (process start to the
 * first prediction answered, model fetch included, fresh model cache each time), latency at
 * fixed request rates (open loop: latency counts from when a request was due, so a stall is
 * not hidden), and batched throughput (closed loop, 64 vectors per request).
 *
 * <p>System properties: {@code bench.seconds} (per case, 15), {@code bench.rates}
 * (250,500,1000,2000), {@code bench.coldstarts} (5), {@code bench.batch.clients} (4),
 * {@code bench.infer.jar}, {@code bench.model} (bench/infer-bench/target/bench-model.onnx),
 * {@code bench.infer.jvm} (extra JVM options of infer, space-separated), {@code bench.load} (false:
 * cold starts only), {@code bench.infer.java} (the launcher infer runs on, java on the path), and
 * {@code bench.aot.cache}: a file for an AOT cache (JDK 25, JEP 483/514) that a training run of
 * infer writes first and every later run of infer starts from, and {@code bench.issuer} (true):
 * infer's sender identity checked against the test kit's OIDC issuer, whose discovery document
 * infer reads at boot as it reads the cluster's in a cluster; false leaves infer's default issuer,
 * which does not resolve outside a cluster (the method of the figures before 2026-12-05).
 */
public final class InferLoad {

    private static final int SECONDS = Integer.getInteger("bench.seconds", 15);
    private static final Path AOT_CACHE = System.getProperty("bench.aot.cache") == null ? null
            : Paths.get(System.getProperty("bench.aot.cache")).toAbsolutePath();
    /** The cluster's service-account issuer, as a cluster gives infer one; null with {@code -Dbench.issuer=false}. */
    private static final OidcIssuer ISSUER = Boolean.parseBoolean(System.getProperty("bench.issuer", "true"))
            ? OidcIssuer.start() : null;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).executor(Executors.newFixedThreadPool(4)).build();

    private InferLoad() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Paths.get(System.getProperty("bench.infer.jar", "functions/infer/target/quarkus-app/quarkus-run.jar"));
        Path model = Paths.get(System.getProperty("bench.model", "bench/infer-bench/target/bench-model.onnx"));
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " does not exist; run bench/infer-bench/run.sh");
        }
        try (MlflowServer mlflow = MlflowServer.start()) {
            register(mlflow.trackingUri(), model);
            List<String> lines = new ArrayList<>();
            lines.add("| cold start | run | process start → first prediction (ms) |");
            lines.add("| --- | --- | --- |");
            if (AOT_CACHE != null) {
                lines.add(trainAotCache(jar, mlflow.trackingUri()));
                lines.add("");
            }
            for (int run = 1; run <= Integer.getInteger("bench.coldstarts", 5); run++) {
                lines.add(String.format(Locale.ROOT, "| cold start | %d | %.0f |", run, coldStart(jar, mlflow.trackingUri())));
            }
            if (!Boolean.parseBoolean(System.getProperty("bench.load", "true"))) {
                lines.forEach(System.out::println);
                mlflow.close();
                System.exit(0);
            }
            lines.add("");
            lines.add("| case | offered | achieved req/s | predictions/s | p50 ms | p99 ms | max ms | errors |");
            lines.add("| --- | --- | --- | --- | --- | --- | --- | --- |");
            int port = FreePorts.next();
            Process infer = start(jar, mlflow.trackingUri(), port, Files.createTempDirectory("infer-load-cache"), usingAotCache());
            try {
                URI predict = URI.create("http://127.0.0.1:" + port + "/v1/predict");
                awaitPrediction(predict, Duration.ofSeconds(60));
                byte[] single = body(1);
                byte[] batch = body(64);
                fixedRate(predict, single, 200, 8);
                closedLoop(predict, batch, 4, 5);
                for (String rate : System.getProperty("bench.rates", "250,500,1000,2000").split(",")) {
                    int r = Integer.parseInt(rate.trim());
                    lines.add(fixedRate(predict, single, r, SECONDS).row("1 vector, fixed rate", r + " req/s", 1));
                }
                int clients = Integer.getInteger("bench.batch.clients", 4);
                lines.add(closedLoop(predict, batch, clients, SECONDS).row("64 vectors, closed loop", clients + " clients", 64));
                lines.add("");
                lines.add("infer RSS after the runs: " + rssMiB(infer) + " MiB");
                if (System.getProperty("bench.infer.jvm", "").contains("NativeMemoryTracking")) {
                    lines.add("");
                    lines.addAll(nativeMemory(infer));
                }
            } finally {
                infer.destroy();
                infer.waitFor(20, TimeUnit.SECONDS);
            }
            lines.forEach(System.out::println);
        }
        // The HTTP client's worker threads would keep the JVM alive.
        System.exit(0);
    }

    /** Registers the benchmark model with the trainer's code, as champion of gh-bench. */
    static void register(URI mlflow, Path model) throws Exception {
        Path trainer = Paths.get("trainer").toAbsolutePath();
        Path python = PythonEnvironment.ensure("trainer", trainer.resolve("requirements-cpu.txt"),
                trainer.resolve("constraints.txt")).bin("python");
        ProcessBuilder pb = new ProcessBuilder(python.toString(), "bench/infer-bench/src/main/python/make_model.py",
                model.toString(), "--register", mlflow.toString(), "--model", "greenloop-gh-bench").redirectErrorStream(true);
        pb.environment().put("PYTHONPATH", trainer.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("make_model.py failed:\n" + out);
        }
    }

    /**
     * The training run of the AOT cache: infer started with {@code -XX:AOTCacheOutput}, taken
     * through what a cold start does (the model's fetch, single and batched predictions), then
     * stopped as Kubernetes stops it (SIGTERM); the JVM writes the cache as it exits.
     */
    static String trainAotCache(Path jar, URI mlflow) throws Exception {
        Files.deleteIfExists(AOT_CACHE);
        long started = System.nanoTime();
        int port = FreePorts.next();
        Process infer = start(jar, mlflow, port, Files.createTempDirectory("infer-aot-cache"), "-XX:AOTCacheOutput=" + AOT_CACHE);
        URI predict = URI.create("http://127.0.0.1:" + port + "/v1/predict");
        try {
            awaitPrediction(predict, Duration.ofSeconds(60));
            fixedRate(predict, body(1), 100, 3);
            closedLoop(predict, body(64), 2, 3);
        } finally {
            infer.destroy();
        }
        if (!infer.waitFor(300, TimeUnit.SECONDS) || !Files.exists(AOT_CACHE)) {
            infer.destroyForcibly();
            throw new IllegalStateException("the training run wrote no AOT cache at " + AOT_CACHE);
        }
        return String.format(Locale.ROOT, "AOT cache: %s, %.0f MB, training run and assembly %.0f s", AOT_CACHE,
                Files.size(AOT_CACHE) / 1e6, (System.nanoTime() - started) / 1e9);
    }

    /** The option that starts infer from the trained AOT cache, when there is one. */
    static String[] usingAotCache() {
        return AOT_CACHE == null ? new String[0] : new String[] {"-XX:AOTCache=" + AOT_CACHE};
    }

    /** infer from its application directory, with {@code bench.infer.jvm} and then {@code extra} JVM options. */
    static Process start(Path jar, URI mlflow, int port, Path cache, String... extra) throws IOException {
        Path log = Files.createTempFile("infer-load-", ".log");
        List<String> command = new ArrayList<>(List.of(System.getProperty("bench.infer.java", "java"), "-Xmx512m"));
        // Extra JVM options to compare (an AppCDS archive, JIT settings), space-separated.
        for (String option : System.getProperty("bench.infer.jvm", "").trim().split("\\s+")) {
            if (!option.isEmpty()) {
                command.add(option);
            }
        }
        command.addAll(List.of(extra));
        if (ISSUER != null) {
            command.add("-Dgreenloop.events.oidc.issuer=" + ISSUER.issuer());
        }
        command.addAll(List.of("-Dquarkus.http.port=" + port,
                "-Dquarkus.management.port=" + dev.greenloop.testkit.FreePorts.next(),
                "-Dgreenloop.infer.mlflow-tracking-uri=" + mlflow, "-Dgreenloop.infer.cache-dir=" + cache,
                "-jar", jar.getFileName().toString()));
        // From the application's directory, as its image runs it (and as an AppCDS archive needs).
        return new ProcessBuilder(command).directory(jar.toAbsolutePath().getParent().toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
    }

    static double coldStart(Path jar, URI mlflow) throws Exception {
        int port = FreePorts.next();
        long started = System.nanoTime();
        Process infer = start(jar, mlflow, port, Files.createTempDirectory("infer-cold-cache"), usingAotCache());
        try {
            awaitPrediction(URI.create("http://127.0.0.1:" + port + "/v1/predict"), Duration.ofSeconds(60));
            return (System.nanoTime() - started) / 1e6;
        } finally {
            infer.destroy();
            infer.waitFor(20, TimeUnit.SECONDS);
        }
    }

    static void awaitPrediction(URI predict, Duration timeout) throws Exception {
        byte[] body = body(1);
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(200)).build();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = client.send(request(predict, body), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("infer answered no prediction within " + timeout);
    }

    static byte[] body(int rows) {
        ObjectNode body = EventJson.mapper().createObjectNode().put("greenhouseId", "gh-bench").put("featureSpecVersion", "v1");
        List<List<Double>> vectors = InferBenchmark.vectors(rows, FeatureSpec.V1.size());
        if (rows == 1) {
            body.set("features", EventJson.mapper().valueToTree(vectors.get(0)));
        } else {
            body.set("batch", EventJson.mapper().valueToTree(vectors));
        }
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    static HttpRequest request(URI uri, byte[] body) {
        return HttpRequest.newBuilder(uri).header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    record Result(long requests, double seconds, Histogram latency, long errors) {
        String row(String name, String offered, int perRequest) {
            return String.format(Locale.ROOT, "| %s | %s | %,.0f | %,.0f | %.2f | %.2f | %.2f | %d |", name, offered,
                    requests / seconds, requests * perRequest / seconds, latency.getValueAtPercentile(50) / 1000.0,
                    latency.getValueAtPercentile(99) / 1000.0, latency.getMaxValue() / 1000.0, errors);
        }
    }

    /** Open loop: a request is due every 1/rate s; latency counts from when it was due. */
    static Result fixedRate(URI uri, byte[] body, int rate, int seconds) throws Exception {
        Histogram latency = new Histogram(60_000_000L, 3);
        AtomicLong errors = new AtomicLong();
        AtomicLong done = new AtomicLong();
        List<CompletableFuture<?>> inFlight = new ArrayList<>();
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        for (long due = start; due < end; due += interval) {
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            long intended = due;
            inFlight.add(HTTP.sendAsync(request(uri, body), HttpResponse.BodyHandlers.discarding()).handle((r, e) -> {
                long micros = (System.nanoTime() - intended) / 1000;
                synchronized (latency) {
                    latency.recordValue(Math.min(micros, 60_000_000L));
                }
                if (e != null || r.statusCode() != 200) {
                    errors.incrementAndGet();
                } else {
                    done.incrementAndGet();
                }
                return null;
            }));
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        return new Result(done.get(), (System.nanoTime() - start) / 1e9, latency, errors.get());
    }

    /** Closed loop: each client sends again when answered. */
    static Result closedLoop(URI uri, byte[] body, int clients, int seconds) throws Exception {
        Histogram latency = new Histogram(60_000_000L, 3);
        AtomicLong errors = new AtomicLong();
        AtomicLong done = new AtomicLong();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        List<Future<?>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            futures.add(pool.submit(() -> {
                while (System.nanoTime() < end) {
                    long sent = System.nanoTime();
                    try {
                        HttpResponse<Void> r = client.send(request(uri, body), HttpResponse.BodyHandlers.discarding());
                        if (r.statusCode() != 200) {
                            errors.incrementAndGet();
                            continue;
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                        continue;
                    }
                    synchronized (latency) {
                        latency.recordValue((System.nanoTime() - sent) / 1000);
                    }
                    done.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        return new Result(done.get(), (System.nanoTime() - start) / 1e9, latency, errors.get());
    }

    /**
     * The JVM's own account of its memory, committed per category, when infer runs with
     * {@code -XX:NativeMemoryTracking=summary}: what of the RSS is the JVM's, and so what is left
     * for ONNX Runtime's native allocations.
     */
    static List<String> nativeMemory(Process p) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder("jcmd", Long.toString(p.pid()), "VM.native_memory", "summary", "scale=MB")
                .redirectErrorStream(true).start();
        List<String> out = new ArrayList<>();
        for (String line : new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            String trimmed = line.strip();
            if (trimmed.startsWith("Total:") || (trimmed.startsWith("-") && trimmed.contains("committed="))) {
                out.add("NMT " + trimmed.replaceFirst("^-\\s*", ""));
            }
        }
        jcmd.waitFor(30, TimeUnit.SECONDS);
        // Resident memory per mapping (a file, or anonymous), the largest first.
        java.util.Map<String, Long> rss = new java.util.HashMap<>();
        String mapping = "?";
        for (String line : Files.readAllLines(Path.of("/proc/" + p.pid() + "/smaps"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 5 && f[0].contains("-") && f[0].matches("[0-9a-f]+-[0-9a-f]+")) {
                mapping = f.length >= 6 ? f[5] : "[anonymous]";
            } else if (f[0].equals("Rss:")) {
                rss.merge(mapping, Long.parseLong(f[1]), Long::sum);
            }
        }
        rss.entrySet().stream().sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed()).limit(8)
                .forEach(e -> out.add(String.format(Locale.ROOT, "RSS %s %d MiB", e.getKey(), e.getValue() / 1024)));
        return out;
    }

    static long rssMiB(Process p) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + p.pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
