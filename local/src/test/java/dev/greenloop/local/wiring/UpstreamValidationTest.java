package dev.greenloop.local.wiring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.fabric8.zjsonpatch.JsonPatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.greenloop.local.wiring.ManifestChecksTest.FUNCTIONS;
import static dev.greenloop.local.wiring.ManifestChecksTest.ROOT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every Knative object greenloop deploys, in every overlay and in {@code eventing/}, passes the
 * CRD schemas of the Knative releases it targets (vendored, strict: unknown fields are errors)
 * and the rules their webhooks add; every {@code func.yaml} passes func's own schema. Each rule
 * is shown to bite: a mutation that Knative or func would refuse must fail the checks.
 */
class UpstreamValidationTest {

    private static final UpstreamSchemas SCHEMAS = UpstreamSchemas.load();
    private static final WebhookRules RULES = WebhookRules.upstreamDefaults();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Schema FUNC_YAML = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
            .getSchema(read("func/func_yaml-schema.json"));

    private static JsonNode read(String upstream) {
        try {
            return new ObjectMapper().readTree(UpstreamSchemas.DIR.resolve(upstream).toFile());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static List<String> problems(JsonNode object) {
        List<String> out = new ArrayList<>(SCHEMAS.validate(object));
        out.addAll(RULES.check(object));
        return out;
    }

    /** Knative's objects and the Prometheus Operator's: those whose CRDs are vendored. */
    private static boolean knative(JsonNode object) {
        String apiVersion = object.path("apiVersion").asText();
        return apiVersion.contains("knative.dev/") || apiVersion.startsWith("monitoring.coreos.com/");
    }

    @ParameterizedTest
    @ValueSource(strings = {"knative/overlays/dev", "knative/overlays/prod", "eventing", "knative/base",
            "knative/components/observability"})
    void everyKnativeObjectPassesUpstreamSchemasAndWebhookRules(String dir) {
        Map<String, List<String>> problems = new LinkedHashMap<>();
        int checked = 0;
        for (Rendering.Rendered r : Rendering.of(Manifests.load(ROOT.resolve(dir)))) {
            if (!knative(r.object())) {
                continue;
            }
            checked++;
            List<String> p = problems(r.object());
            if (!p.isEmpty()) {
                problems.put(r.name(), p);
            }
        }
        assertThat(problems).as("objects Knative would refuse").isEmpty();
        assertThat(checked).as("Knative objects in " + dir).isGreaterThanOrEqualTo(
                dir.equals("knative/base") ? 6 : dir.endsWith("observability") ? 2 : 20);
    }

    /**
     * The Kubernetes objects (ConfigMaps, ServiceAccounts, RBAC, NetworkPolicies, the admission
     * policy, Namespaces) are held to fabric8's models, which are generated from Kubernetes'
     * OpenAPI: a field the model does not know lands in an {@code additionalProperties} map, and
     * any such field is an error here, as the API server's strict field validation makes it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"knative/overlays/dev", "knative/overlays/prod"})
    void everyKubernetesObjectHasOnlyFieldsItsApiKnows(String dir) {
        Map<String, List<String>> unknown = new LinkedHashMap<>();
        int checked = 0;
        for (Manifests.Entry e : Manifests.load(ROOT.resolve(dir)).entries()) {
            if (knative(e.source())) {
                continue;
            }
            checked++;
            List<String> found = new ArrayList<>();
            unknownFields(e.object(), "", found, new java.util.IdentityHashMap<>());
            if (!found.isEmpty()) {
                unknown.put(e.object().getKind() + "/" + e.object().getMetadata().getName(), found);
            }
        }
        assertThat(unknown).as("fields the Kubernetes API does not know").isEmpty();
        assertThat(checked).isGreaterThanOrEqualTo(5);
    }

    @Test
    void aFieldTheKubernetesApiDoesNotKnowIsFound() {
        io.fabric8.kubernetes.api.model.ConfigMap map = new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withNewMetadata().withName("x").endMetadata().addToData("a", "b").build();
        map.getMetadata().setAdditionalProperty("lables", Map.of("app", "x"));
        List<String> found = new ArrayList<>();

        unknownFields(map, "", found, new java.util.IdentityHashMap<>());

        assertThat(found).containsExactly("/metadata/lables");

        // Deep in a spec: a misspelt port list of a NetworkPolicy's rule.
        Object policy = new io.fabric8.kubernetes.client.utils.KubernetesSerialization().unmarshal("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: p}
                spec:
                  podSelector: {}
                  ingress:
                    - prots: [{port: 8080}]
                """);
        List<String> deep = new ArrayList<>();
        unknownFields(policy, "", deep, new java.util.IdentityHashMap<>());
        assertThat(deep).containsExactly("/spec/ingress/0/prots");
    }

    /** Every additionalProperties entry under {@code o}, by path (fabric8 model classes only). */
    static void unknownFields(Object o, String at, List<String> found, java.util.IdentityHashMap<Object, Boolean> seen) {
        if (o == null || seen.put(o, Boolean.TRUE) != null) {
            return;
        }
        if (o instanceof java.util.Collection<?> c) {
            int i = 0;
            for (Object item : c) {
                unknownFields(item, at + "/" + i++, found, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> unknownFields(v, at + "/" + k, found, seen));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (java.lang.reflect.Method getter : o.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(o);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra) {
                    extra.keySet().forEach(k -> found.add(at + "/" + k));
                }
            } else {
                String field = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
                unknownFields(value, at + "/" + field, found, seen);
            }
        }
    }

    @Test
    void everyKnativeKindDeployedHasItsCrdVendored() {
        for (Rendering.Rendered r : Rendering.of(Manifests.load(ROOT.resolve("knative/overlays/prod")))) {
            if (knative(r.object())) {
                assertThat(SCHEMAS.knows(r.object())).as(r.name()).isTrue();
            }
        }
        assertThat(SCHEMAS.kinds()).contains("serving.knative.dev/v1 Service", "eventing.knative.dev/v1 Trigger",
                "sources.knative.dev/v1 KafkaSource", "eventing.knative.dev/v1alpha1 KafkaSink");
    }

    @Test
    void everyFuncYamlPassesFuncsSchema() {
        for (String name : FUNCTIONS) {
            JsonNode func = Manifests.read(ROOT.resolve("functions/" + name + "/func.yaml"));
            assertThat(funcProblems(func)).as("functions/%s/func.yaml", name).isEmpty();
        }
    }

    private static List<String> funcProblems(JsonNode func) {
        return FUNC_YAML.validate(func).stream().map(e -> e.getInstanceLocation() + ": " + e.getMessage()).toList();
    }

    /** A change to one deployed object, and a phrase the refusal must contain. */
    record Mutation(String kind, String name, String patch, String refusal) {
        @Override
        public String toString() {
            return kind + "/" + name + " " + patch;
        }
    }

    static Stream<Mutation> mutations() {
        return Stream.of(
                // Serving: strict schema, feature flags, webhook limits.
                new Mutation("Service", "preprocess", "[{op: add, path: /spec/template/spec/timeoutSecond, value: 30}]", "timeoutSecond"),
                new Mutation("Service", "preprocess", "[{op: add, path: /spec/template/spec/timeoutSeconds, value: 900}]", "timeoutSeconds: expected 0 <= 900 <= 600"),
                new Mutation("Service", "infer", "[{op: add, path: /spec/template/spec/responseStartTimeoutSeconds, value: 45}]", "responseStartTimeoutSeconds"),
                new Mutation("Service", "infer", "[{op: add, path: /spec/template/spec/affinity, value: {}}]", "kubernetes.podspec-affinity"),
                new Mutation("Service", "control", "[{op: add, path: /spec/template/spec/nodeSelector, value: {gpu: \"true\"}}]", "kubernetes.podspec-nodeselector"),
                new Mutation("Service", "control", "[{op: replace, path: /spec/template/spec/containerConcurrency, value: 5000}]", "containerConcurrency"),
                new Mutation("Service", "control", "[{op: replace, path: /spec/template/spec/containerConcurrency, value: \"8\"}]", "/spec/template/spec/containerConcurrency"),
                new Mutation("Service", "ingest", "[{op: replace, path: /spec/template/metadata/annotations/autoscaling.knative.dev~1min-scale, value: \"50\"}]", "min-scale: 50 is above max-scale"),
                new Mutation("Service", "ingest", "[{op: add, path: /spec/template/metadata/annotations/autoscaling.knative.dev~1metric, value: cpu}]", "metric: cpu"),
                new Mutation("Service", "ingest", "[{op: add, path: /spec/template/spec/containers/0/env/-, value: {name: K_SERVICE, value: x}}]", "reserved environment variable"),
                new Mutation("Service", "ingest", "[{op: add, path: /spec/template/spec/containers/0/ports/-, value: {containerPort: 9000}}]", "more than one container port"),
                new Mutation("Service", "monitor", "[{op: replace, path: /metadata/name, value: 2monitor}]", "DNS-1035"),
                // Eventing: Triggers, the Broker and the Sources.
                new Mutation("Trigger", "archive-to-preprocess", "[{op: remove, path: /spec/broker}]", "/spec/broker"),
                new Mutation("Trigger", "archive-to-preprocess", "[{op: add, path: /spec/filter/attribute, value: {type: x}}]", "attribute"),
                new Mutation("Trigger", "archive-to-preprocess", "[{op: replace, path: /spec/delivery/retry, value: -1}]", "retry"),
                new Mutation("Trigger", "archive-to-preprocess", "[{op: replace, path: /spec/delivery/backoffDelay, value: 1s}]", "ISO 8601"),
                new Mutation("Trigger", "archive-to-preprocess", "[{op: replace, path: /spec/delivery/backoffPolicy, value: fibonacci}]", "backoffPolicy"),
                new Mutation("Trigger", "archive-to-preprocess", "[{op: add, path: /spec/delivery/retryAfterMax, value: PT5S}]", "delivery-retryafter"),
                new Mutation("Broker", "default", "[{op: replace, path: /spec/delivery/retry, value: three}]", "/spec/delivery/retry"),
                new Mutation("KafkaSource", "readings", "[{op: replace, path: /spec/ordering, value: fifo}]", "ordering"),
                new Mutation("KafkaSource", "readings", "[{op: remove, path: /spec/topics}]", "topics"),
                new Mutation("KafkaSink", "dead-letter", "[{op: replace, path: /spec/replicationFactor, value: 0}]", "replicationFactor"),
                new Mutation("KafkaSink", "dead-letter", "[{op: remove, path: /spec/topic}]", "topic"),
                new Mutation("PingSource", "archive-gh-1", "[{op: add, path: /spec/dataBase64, value: e30=}]", "dataBase64"),
                new Mutation("PingSource", "archive-gh-1", "[{op: add, path: /spec/timezone, value: Mars/Olympus}]", "timezone"),
                new Mutation("PingSource", "archive-gh-1", "[{op: add, path: /spec/schedul, value: \"0 * * * *\"}]", "schedul"),
                new Mutation("ApiServerSource", "training-jobs", "[{op: replace, path: /spec/mode, value: All}]", "mode"),
                new Mutation("SinkBinding", "preprocess-to-broker", "[{op: remove, path: /spec/subject}]", "subject"),
                new Mutation("EventPolicy", "broker-senders", "[{op: add, path: /spec/sender, value: x}]", "sender"));
    }

    @ParameterizedTest
    @MethodSource("mutations")
    void aChangeKnativeWouldRefuseFailsTheChecks(Mutation m) throws IOException {
        assertRefused(m, "knative/overlays/prod");
    }

    /** {@code m}'s object in {@code dir} passes the checks, and fails them once {@code m} changed it. */
    private static void assertRefused(Mutation m, String dir) throws IOException {
        JsonNode original = Rendering.of(Manifests.load(ROOT.resolve(dir))).stream()
                .map(Rendering.Rendered::object)
                .filter(o -> o.path("kind").asText().equals(m.kind()) && o.at("/metadata/name").asText().equals(m.name()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + m.kind() + "/" + m.name() + " in " + dir));
        assertThat(problems(original)).as("before the change").isEmpty();
        JsonNode changed = JsonPatch.apply(YAML.readTree(m.patch()), original);
        assertThat(problems(changed)).as("refusals of %s", m).anyMatch(p -> p.contains(m.refusal()));
    }

    static Stream<Mutation> monitoringMutations() {
        return Stream.of(
                new Mutation("PodMonitor", "greenloop-functions", "[{op: replace, path: /spec/podMetricsEndpoints/0/portNumber, value: 70000}]", "portNumber"),
                new Mutation("PodMonitor", "greenloop-functions", "[{op: add, path: /spec/podMetricsEndpoints/0/intervall, value: 15s}]", "intervall"),
                new Mutation("PodMonitor", "greenloop-functions", "[{op: replace, path: /spec/podMetricsEndpoints/0/interval, value: 15 seconds}]", "interval"),
                new Mutation("PrometheusRule", "greenloop-alerts", "[{op: replace, path: /spec/groups/0/rules/1/for, value: 15 minutes}]", "for"),
                new Mutation("PrometheusRule", "greenloop-alerts", "[{op: remove, path: /spec/groups/0/name}]", "name"));
    }

    /** The observability component's objects are held to the Prometheus Operator's CRDs (v0.93.0, vendored). */
    @ParameterizedTest
    @MethodSource("monitoringMutations")
    void aChangeThePrometheusOperatorWouldRefuseFailsTheChecks(Mutation m) throws IOException {
        assertRefused(m, "knative/components/observability");
    }

    static Stream<String[]> funcMutations() {
        return Stream.of(
                new String[] {"[{op: remove, path: /created}]", "created"},
                new String[] {"[{op: add, path: /deploy/timeout, value: 600}]", "timeout"},
                new String[] {"[{op: replace, path: /deploy/options/scale/min, value: \"0\"}]", "/deploy/options/scale/min"},
                new String[] {"[{op: replace, path: /deploy/options/scale/metric, value: cpu}]", "/deploy/options/scale/metric"},
                new String[] {"[{op: replace, path: /name, value: Preprocess}]", "/name"});
    }

    @ParameterizedTest
    @MethodSource("funcMutations")
    void aFuncYamlFuncWouldRefuseFailsTheChecks(String patch, String refusal) throws IOException {
        JsonNode func = Manifests.read(ROOT.resolve("functions/preprocess/func.yaml"));
        assertThat(funcProblems(func)).isEmpty();
        assertThat(funcProblems(JsonPatch.apply(YAML.readTree(patch), func))).anyMatch(p -> p.contains(refusal));
    }

    /**
     * The README's kn line, flag by flag, against func's own reference for {@code func deploy}:
     * each flag exists, and deploying an image built elsewhere without building or pushing is
     * the documented use of {@code --build=false --push=false}.
     */
    @Test
    void theReadmesKnLineUsesFuncDeploysDocumentedFlags() throws IOException {
        String reference = Files.readString(UpstreamSchemas.DIR.resolve("func/func_deploy.md"));
        String readme = Files.readString(ROOT.resolve("README.md"));
        java.util.regex.Matcher line = java.util.regex.Pattern.compile("kn func deploy ([^)\n]*)\\)").matcher(readme);
        assertThat(line.find()).as("the kn line in README.md").isTrue();
        List<String> flags = new ArrayList<>();
        java.util.regex.Matcher flag = java.util.regex.Pattern.compile("--([a-z-]+)").matcher(line.group(1));
        while (flag.find()) {
            flags.add(flag.group(1));
        }
        assertThat(flags).containsExactlyInAnyOrder("build", "push", "namespace");
        for (String f : flags) {
            assertThat(reference).as("func deploy --" + f).containsPattern("(?m)^\\s+(-[a-zA-Z], )?--" + f + "\\b");
        }
        assertThat(reference).contains("$ func deploy --build=false --push=false")
                .contains("-n, --namespace string              Deploy into a specific namespace");
    }

    @Test
    void theVendoredFilesNameTheirReleaseAndLicence() throws IOException {
        String readme = Files.readString(UpstreamSchemas.DIR.resolve("README.md"));
        for (String dir : List.of("knative-serving", "knative-eventing", "eventing-kafka-broker", "func")) {
            assertThat(UpstreamSchemas.DIR.resolve(dir).resolve("LICENSE")).exists();
            assertThat(readme).contains(dir + "/");
        }
        assertThat(readme).contains("knative-v1.23.0").contains("knative-v1.22.2").contains("knative-v1.23.1");
    }
}
