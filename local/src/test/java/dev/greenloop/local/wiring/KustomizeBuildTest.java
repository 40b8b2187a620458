package dev.greenloop.local.wiring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.greenloop.testkit.go.GoInstall;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code kubectl apply -k} sends, rendered by kustomize itself (v5.8.1, the Go module, as
 * kubectl embeds it): the dev overlay builds, and so does the dev overlay with the observability
 * component, which adds the PodMonitor, the PrometheusRule (the rules file's groups) and the
 * dashboards' ConfigMap, labelled for Grafana's sidecar, in the overlay's namespace.
 */
class KustomizeBuildTest {

    private static final Path ROOT = ManifestChecksTest.ROOT;
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static List<JsonNode> build(Path dir) throws Exception {
        Path kustomize = GoInstall.tool("sigs.k8s.io/kustomize/kustomize/v5", "v5.8.1", "kustomize");
        Path errors = Files.createTempFile("kustomize", ".err");
        Process p = new ProcessBuilder(kustomize.toString(), "build", dir.toString())
                .redirectError(errors.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as("kustomize build %s: %s", dir, Files.readString(errors)).isZero();
        List<JsonNode> objects = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(out)) {
            YAML.readValues(parser, JsonNode.class).forEachRemaining(objects::add);
        }
        return objects;
    }

    private static JsonNode find(List<JsonNode> objects, String kind, String name) {
        return objects.stream().filter(o -> o.path("kind").asText().equals(kind) && o.at("/metadata/name").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + "/" + name));
    }

    @Test
    void theDevOverlayWithTheObservabilityComponentBuildsWithKustomize() throws Exception {
        Path overlay = Files.createDirectories(Path.of("target/kustomize/observed"));
        Files.writeString(overlay.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                namespace: greenloop-dev
                resources:
                  - ../../../../knative/overlays/dev
                components:
                  - ../../../../knative/components/observability
                """);

        List<JsonNode> dev = build(ROOT.resolve("knative/overlays/dev"));
        List<JsonNode> observed = build(overlay);

        assertThat(dev).extracting(o -> o.path("kind").asText()).contains("Service", "Trigger", "KafkaSource")
                .doesNotContain("PodMonitor", "PrometheusRule");
        assertThat(observed).hasSize(dev.size() + 3);
        JsonNode monitor = find(observed, "PodMonitor", "greenloop-functions");
        assertThat(monitor.at("/metadata/namespace").asText()).isEqualTo("greenloop-dev");
        assertThat(monitor.at("/spec/podMetricsEndpoints/0/relabelings/0/replacement").asText()).isEqualTo("$1:9000");
        JsonNode rule = find(observed, "PrometheusRule", "greenloop-alerts");
        assertThat(rule.path("spec")).isEqualTo(YAML.readTree(ROOT.resolve("knative/components/observability/alerts.rules.yaml").toFile()));
        JsonNode dashboards = find(observed, "ConfigMap", "greenloop-dashboards");
        assertThat(dashboards.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
        assertThat(dashboards.at("/metadata/namespace").asText()).isEqualTo("greenloop-dev");
        for (String file : List.of("greenloop-loop.json", "greenloop-functions.json")) {
            JsonNode json = new ObjectMapper().readTree(dashboards.path("data").path(file).asText());
            assertThat(json).as(file).isEqualTo(new ObjectMapper().readTree(
                    ROOT.resolve("knative/components/observability/dashboards/" + file).toFile()));
        }
        // Every function's pods carry the scrape annotations, for a Prometheus without the operator.
        assertThat(observed).filteredOn(o -> o.path("kind").asText().equals("Service") && o.path("apiVersion").asText()
                        .startsWith("serving.knative.dev/"))
                .hasSize(6).allSatisfy(s -> assertThat(((ObjectNode) s.at("/spec/template/metadata/annotations")).path("prometheus.io/port")
                        .asText()).isEqualTo("9000"));
    }
}
