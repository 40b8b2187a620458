package dev.greenloop.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.greenloop.testkit.ChildProcess;
import dev.greenloop.testkit.FreePorts;
import dev.greenloop.testkit.prometheus.PrometheusTools;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Prometheus beside the embedded stack, when it is installed on the machine (Debian's
 * {@code prometheus} package, {@code $GREENLOOP_PROMETHEUS_BIN}, or the test kit's cache): it
 * scrapes the six functions' management ports every 5 s and evaluates the shipped alerts
 * ({@code knative/components/observability/alerts.rules.yaml}); {@link #poll()} collects the
 * alerts that went pending or fired, for the report. Prometheus keeps real time while the demo's
 * live phase runs simulated time faster: an alert's window is real minutes, not simulated ones.
 */
public final class LocalPrometheus implements AutoCloseable {

    /** An alert as Prometheus reported it: its labels, the worst state seen, when it became active. */
    public record Alert(String name, Map<String, String> labels, String state, Instant firstSeen, String summary) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChildProcess process;
    private final URI api;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<String, Alert> seen = new LinkedHashMap<>();

    private LocalPrometheus(ChildProcess process, URI api) {
        this.process = process;
        this.api = api;
    }

    /** Starts Prometheus over {@code stack}'s functions, or empty when it is not installed. */
    public static Optional<LocalPrometheus> start(Path root, Path work, Stack stack) throws IOException {
        Optional<Path> bin = PrometheusTools.installed();
        if (bin.isEmpty()) {
            return Optional.empty();
        }
        Path dir = Files.createDirectories(work.resolve("prometheus"));
        StringBuilder targets = new StringBuilder();
        for (String f : Stack.FUNCTIONS) {
            URI m = stack.metrics(f);
            targets.append("          - ").append(m.getHost()).append(':').append(m.getPort()).append('\n');
        }
        Path config = Files.writeString(dir.resolve("prometheus.yml"), """
                # Written by ./greenloop demo: the embedded functions' management ports, the shipped alerts.
                global:
                  scrape_interval: 5s
                  evaluation_interval: 5s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: greenloop
                    metrics_path: /q/metrics
                    static_configs:
                      - targets:
                %s""".formatted(root.resolve("knative/components/observability/alerts.rules.yaml"), targets));
        int port = FreePorts.next();
        ChildProcess p = ChildProcess.start("prometheus", List.of(bin.get().resolve("prometheus").toString(),
                "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port, "--storage.tsdb.retention.time=1d"), dir, Map.of(),
                work.resolve("logs/prometheus.log"));
        URI api = URI.create("http://127.0.0.1:" + port + "/");
        p.awaitReady(ChildProcess.httpOk(api.resolve("/-/ready")), Duration.ofSeconds(60));
        return Optional.of(new LocalPrometheus(p, api));
    }

    public URI url() {
        return api;
    }

    /** Asks Prometheus for its alerts now and remembers each new one (and a pending one that fired). */
    public void poll() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(api.resolve("/api/v1/alerts"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return;
            }
            for (JsonNode a : JSON.readTree(r.body()).at("/data/alerts")) {
                Map<String, String> labels = new TreeMap<>();
                a.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
                String name = labels.remove("alertname");
                String state = a.path("state").asText();
                String key = name + labels;
                Alert before = seen.get(key);
                Instant active = a.hasNonNull("activeAt") ? Instant.parse(a.path("activeAt").asText()) : Instant.now();
                if (before == null) {
                    seen.put(key, new Alert(name, labels, state, active, a.at("/annotations/summary").asText()));
                } else if (state.equals("firing") && !before.state().equals("firing")) {
                    seen.put(key, new Alert(name, labels, state, before.firstSeen(), a.at("/annotations/summary").asText()));
                }
            }
        } catch (IOException e) {
            // Prometheus busy or gone: the next poll tries again.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Every alert seen so far, in the order first seen. */
    public List<Alert> alerts() {
        return new ArrayList<>(seen.values());
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(10));
    }
}
