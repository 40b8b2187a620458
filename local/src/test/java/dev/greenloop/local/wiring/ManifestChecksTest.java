package dev.greenloop.local.wiring;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.greenloop.clients.MlflowCredentials;
import dev.greenloop.clients.MongoConnections;
import dev.greenloop.events.EventType;
import dev.greenloop.events.kafka.KafkaSecurity;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.knative.eventing.v1.Broker;
import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.sources.v1.ApiServerSource;
import io.fabric8.knative.sources.v1.PingSource;
import io.fabric8.knative.sources.v1.SinkBinding;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deployable wiring holds together: every manifest parses into fabric8's typed Kubernetes
 * and Knative models; every Trigger subscriber, Source sink and dead-letter sink exists; every
 * event type is consumed or documented as terminal; schedules are valid cron; every Secret,
 * ConfigMap, ServiceAccount and Role referenced is defined; each function's Service and its
 * func.yaml agree.
 */
class ManifestChecksTest {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final List<String> FUNCTIONS = List.of("ingest", "preprocess", "train-launcher", "infer", "control", "monitor");
    private static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static Manifests overlay(String name) {
        return Manifests.load(ROOT.resolve("knative/overlays/" + name));
    }

    static JsonNode json(HasMetadata o) {
        return KUBERNETES.convertValue(o, JsonNode.class);
    }

    /** Calls {@code visit} with every object field named {@code field} anywhere under {@code node}, and its parent path. */
    static void walk(JsonNode node, String path, String field, BiConsumer<String, JsonNode> visit) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                String p = path + "/" + e.getKey();
                if (e.getKey().equals(field)) {
                    visit.accept(p, e.getValue());
                }
                walk(e.getValue(), p, field, visit);
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), path + "/" + i, field, visit);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyManifestParsesIntoATypedModel(String overlay) {
        Manifests m = overlay(overlay);
        assertThat(m.objects()).isNotEmpty();
        for (Manifests.Entry e : m.entries()) {
            assertThat(e.object()).as("%s/%s in %s", e.object().getKind(), e.object().getMetadata().getName(), e.file())
                    .isNotInstanceOf(GenericKubernetesResource.class);
        }
        assertThat(m.all(Service.class)).extracting(s -> s.getMetadata().getName())
                .containsExactlyInAnyOrderElementsOf(FUNCTIONS);
        assertThat(m.all(Broker.class)).hasSize(1);
        assertThat(m.all(Trigger.class)).hasSizeGreaterThanOrEqualTo(10);
        assertThat(m.all(PingSource.class)).hasSize(4);
        assertThat(m.all(ApiServerSource.class)).hasSize(1);
        assertThat(m.all(SinkBinding.class)).hasSize(4);
        assertThat(m.objects()).anyMatch(o -> o.getKind().equals("KafkaSource"))
                .anyMatch(o -> o.getKind().equals("KafkaSink"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everySubscriberSinkAndDeadLetterSinkExists(String overlay) {
        Manifests m = overlay(overlay);
        List<String> missing = new ArrayList<>();
        int refs = 0;
        for (HasMetadata o : m.objects()) {
            JsonNode spec = json(o).path("spec");
            List<JsonNode> found = new ArrayList<>();
            walk(spec, "", "ref", (path, ref) -> found.add(ref));
            walk(spec, "", "subject", (path, subject) -> found.add(subject));
            for (JsonNode ref : found) {
                refs++;
                String what = ref.path("apiVersion").asText() + " " + ref.path("kind").asText() + " " + ref.path("name").asText();
                if (!m.has(ref.path("apiVersion").asText(), ref.path("kind").asText(), ref.path("name").asText())) {
                    missing.add(o.getKind() + "/" + o.getMetadata().getName() + " -> " + what);
                }
            }
            if (o instanceof Trigger t && m.find(Broker.class, t.getSpec().getBroker()).isEmpty()) {
                missing.add("Trigger/" + t.getMetadata().getName() + " -> Broker " + t.getSpec().getBroker());
            }
        }
        assertThat(missing).as("references to nothing").isEmpty();
        assertThat(refs).isGreaterThan(20);
        // Every Trigger and every Source dead-letters.
        for (HasMetadata o : m.objects()) {
            if (o instanceof Trigger || o.getKind().equals("KafkaSource") || o instanceof Broker) {
                assertThat(json(o).at("/spec/delivery/deadLetterSink/ref/name").asText())
                        .as("%s/%s dead-letter sink", o.getKind(), o.getMetadata().getName()).isEqualTo("dead-letter");
                assertThat(json(o).at("/spec/delivery/retry").asInt()).as("%s retries", o.getMetadata().getName()).isPositive();
            }
        }
        for (HasMetadata o : m.objects()) {
            if (o instanceof PingSource || o instanceof ApiServerSource) {
                assertThat(json(o).at("/spec/sink/ref/kind").asText()).as("%s sinks into the Broker (replies kept)",
                        o.getMetadata().getName()).isEqualTo("Broker");
            }
        }
    }

    @Test
    void everyEventTypeIsConsumedOrDocumentedAsTerminal() throws IOException {
        Manifests m = Manifests.load(ROOT.resolve("eventing"));
        Set<String> consumed = new TreeSet<>();
        for (Trigger t : m.all(Trigger.class)) {
            String type = t.getSpec().getFilter().getAttributes().get("type");
            assertThat(type).as("Trigger %s filters on a type", t.getMetadata().getName()).isNotBlank();
            consumed.add(type);
        }
        String triggers = Files.readString(ROOT.resolve("eventing/triggers.yaml"));
        String header = triggers.substring(0, triggers.indexOf("\n---"));
        Set<String> catalog = new HashSet<>();
        for (EventType type : EventType.values()) {
            catalog.add(type.type());
            if (type == EventType.SENSOR_READINGS) {
                // Not through the Broker: the KafkaSource of ingest's topic delivers them to preprocess.
                assertThat(m.objects()).anySatisfy(o -> {
                    assertThat(o.getKind()).isEqualTo("KafkaSource");
                    assertThat(json(o).at("/spec/topics/0").asText()).isEqualTo("greenhouse.readings");
                    assertThat(json(o).at("/spec/sink/ref/name").asText()).isEqualTo("preprocess");
                });
            } else if (!consumed.contains(type.type())) {
                assertThat(header).as("%s is consumed by no Trigger: triggers.yaml must say it is terminal", type.type())
                        .contains(type.type());
            }
        }
        for (String type : consumed) {
            assertThat(catalog.contains(type) || type.startsWith("dev.knative.")).as("Trigger type %s is known", type).isTrue();
        }
    }

    @Test
    void schedulesAreValidCronAndReachExactlyOneFunction() throws IOException {
        Manifests m = Manifests.load(ROOT.resolve("eventing"));
        CronParser cron = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
        Map<String, List<String>> routes = new HashMap<>();
        for (Trigger t : m.all(Trigger.class)) {
            String schedule = t.getSpec().getFilter().getAttributes().get("greenloopschedule");
            if (schedule != null) {
                routes.computeIfAbsent(schedule, k -> new ArrayList<>()).add(t.getSpec().getSubscriber().getRef().getName());
            }
        }
        for (PingSource p : m.all(PingSource.class)) {
            String name = p.getMetadata().getName();
            cron.parse(p.getSpec().getSchedule()).validate();
            JsonNode data = YAML.readTree(p.getSpec().getData());
            assertThat(data.path("greenhouseId").asText()).as("%s names a greenhouse", name).isNotBlank();
            String schedule = p.getSpec().getCeOverrides().getExtensions().get("greenloopschedule");
            assertThat(routes.get(schedule)).as("%s (%s) reaches one function", name, schedule).hasSize(1);
        }
        for (ApiServerSource s : m.all(ApiServerSource.class)) {
            String schedule = s.getSpec().getCeOverrides().getExtensions().get("greenloopschedule");
            assertThat(routes.get(schedule)).as("job status reaches train-launcher").containsExactly("train-launcher");
        }
        // An invalid schedule is refused by the same parser.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> cron.parse("61 * * * *").validate())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everySecretConfigMapAndServiceAccountReferencedIsDefined(String overlay) {
        Manifests m = overlay(overlay);
        Map<String, Set<String>> secrets = new HashMap<>();
        Set<String> configMaps = new HashSet<>();
        for (HasMetadata o : m.objects()) {
            if (o.getKind().equals("Secret")) {
                secrets.put(o.getMetadata().getName(), new HashSet<>(json(o).path("data").isObject()
                        ? iterable(json(o).path("data").fieldNames()) : Set.of()));
            } else if (o.getKind().equals("ConfigMap")) {
                configMaps.add(o.getMetadata().getName());
            }
        }
        for (Manifests.Generated g : m.generated()) {
            if (g.kind().equals("Secret")) {
                secrets.put(g.name(), g.keys());
            } else {
                configMaps.add(g.name());
            }
        }
        List<String> missing = new ArrayList<>();
        Set<String> accounts = new HashSet<>();
        m.all(ServiceAccount.class).forEach(a -> accounts.add(a.getMetadata().getName()));
        for (HasMetadata o : m.objects()) {
            String where = o.getKind() + "/" + o.getMetadata().getName();
            JsonNode tree = json(o);
            walk(tree, "", "secretKeyRef", (path, ref) -> {
                Set<String> keys = secrets.get(ref.path("name").asText());
                if (keys == null || !keys.contains(ref.path("key").asText())) {
                    missing.add(where + " -> Secret " + ref.path("name").asText() + " key " + ref.path("key").asText());
                }
            });
            walk(tree, "", "configMapRef", (path, ref) -> {
                if (!configMaps.contains(ref.path("name").asText())) {
                    missing.add(where + " -> ConfigMap " + ref.path("name").asText());
                }
            });
            walk(tree, "", "serviceAccountName", (path, name) -> {
                if (!accounts.contains(name.asText())) {
                    missing.add(where + " -> ServiceAccount " + name.asText());
                }
            });
            if (o instanceof Broker b && !configMaps.contains(b.getSpec().getConfig().getName())) {
                missing.add(where + " -> ConfigMap " + b.getSpec().getConfig().getName());
            }
        }
        for (RoleBinding rb : m.all(RoleBinding.class)) {
            if (m.find(Role.class, rb.getRoleRef().getName()).isEmpty()) {
                missing.add("RoleBinding/" + rb.getMetadata().getName() + " -> Role " + rb.getRoleRef().getName());
            }
            rb.getSubjects().forEach(s -> {
                if (!accounts.contains(s.getName())) {
                    missing.add("RoleBinding/" + rb.getMetadata().getName() + " -> ServiceAccount " + s.getName());
                }
            });
        }
        assertThat(missing).as("references to nothing in overlay %s", overlay).isEmpty();
        assertThat(secrets).containsKey("greenloop-secrets");
    }

    private static Set<String> iterable(java.util.Iterator<String> it) {
        Set<String> s = new HashSet<>();
        it.forEachRemaining(s::add);
        return s;
    }

    @Test
    void everyServiceIsProbedLimitedAndScalesToZeroUnlessKeptWarm() {
        Manifests base = Manifests.load(ROOT.resolve("knative/base"));
        for (Service s : base.all(Service.class)) {
            String name = s.getMetadata().getName();
            var template = s.getSpec().getTemplate();
            assertThat(template.getMetadata().getAnnotations()).as(name)
                    .containsEntry("autoscaling.knative.dev/min-scale", "0").containsKey("autoscaling.knative.dev/max-scale");
            assertThat(template.getSpec().getContainerConcurrency()).as(name).isPositive();
            var c = template.getSpec().getContainers().get(0);
            assertThat(c.getReadinessProbe().getHttpGet().getPath()).as(name).isEqualTo("/q/health/ready");
            assertThat(c.getLivenessProbe().getHttpGet().getPath()).as(name).isEqualTo("/q/health/live");
            assertThat(c.getResources().getRequests()).as(name).containsKeys("cpu", "memory");
            assertThat(c.getResources().getLimits()).as(name).containsKeys("cpu", "memory");
            assertThat(c.getSecurityContext().getRunAsNonRoot()).as(name).isTrue();
            assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).as(name).isFalse();
            assertThat(c.getPorts().get(0).getName()).as("%s: HTTP/1.1 to the container", name).isEqualTo("http1");
        }
        Manifests prod = overlay("prod");
        List<JsonNode> warm = prod.patches();
        assertThat(warm).hasSize(1);
        assertThat(warm.get(0).at("/target/name").asText()).isEqualTo("infer|control");
        assertThat(warm.get(0).at("/patch").asText()).contains("autoscaling.knative.dev~1min-scale").contains("value: \"1\"");
        assertThat(overlay("dev").patches()).as("dev scales everything to zero")
                .noneMatch(p -> p.at("/patch").asText().contains("min-scale"));
    }

    /** The audience a function verifies: {@code greenloop.events.oidc.audience} in its application.properties. */
    private static String configuredAudience(String function) throws IOException {
        return Files.readAllLines(ROOT.resolve("functions/" + function + "/src/main/resources/application.properties")).stream()
                .filter(l -> l.startsWith("greenloop.events.oidc.audience=")).map(l -> l.substring(l.indexOf('=') + 1))
                .findFirst().orElse(null);
    }

    /**
     * Sender identity: every Trigger and the KafkaSource send a token for the audience their
     * function verifies; every Source that sinks into the Broker, and every Trigger (it posts the
     * reply), is a sender the Broker's EventPolicy admits, and nothing it names is missing.
     */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyDeliveryCarriesTheAudienceItsFunctionVerifiesAndTheBrokerAdmitsOnlyItsSenders(String overlay)
            throws IOException {
        Manifests m = overlay(overlay);
        List<String> wrong = new ArrayList<>();
        for (Trigger t : m.all(Trigger.class)) {
            String function = t.getSpec().getSubscriber().getRef().getName();
            if (!Objects.equals(t.getSpec().getSubscriber().getAudience(), configuredAudience(function))) {
                wrong.add("Trigger/" + t.getMetadata().getName() + " audience " + t.getSpec().getSubscriber().getAudience()
                        + ", " + function + " verifies " + configuredAudience(function));
            }
        }
        for (HasMetadata o : m.objects()) {
            if (o.getKind().equals("KafkaSource")) {
                String function = json(o).at("/spec/sink/ref/name").asText();
                String audience = json(o).at("/spec/sink/audience").asText(null);
                if (!Objects.equals(audience, configuredAudience(function))) {
                    wrong.add("KafkaSource/" + o.getMetadata().getName() + " audience " + audience);
                }
            }
        }
        assertThat(wrong).isEmpty();
        List<io.fabric8.knative.eventing.v1alpha1.EventPolicy> policies = m.all(io.fabric8.knative.eventing.v1alpha1.EventPolicy.class);
        assertThat(policies).hasSize(1);
        var policy = policies.get(0);
        assertThat(policy.getSpec().getTo()).singleElement().satisfies(to -> assertThat(to.getRef().getKind()).isEqualTo("Broker"));
        Set<String> admitted = new HashSet<>();
        for (var from : policy.getSpec().getFrom()) {
            if (from.getRef() != null) {
                String key = from.getRef().getKind() + "/" + from.getRef().getName();
                assertThat(m.objects()).as("EventPolicy admits %s, which must exist", key)
                        .anyMatch(o -> (o.getKind() + "/" + o.getMetadata().getName()).equals(key));
                admitted.add(key);
            }
        }
        for (PingSource p : m.all(PingSource.class)) {
            assertThat(admitted).contains("PingSource/" + p.getMetadata().getName());
        }
        for (ApiServerSource a : m.all(ApiServerSource.class)) {
            assertThat(admitted).contains("ApiServerSource/" + a.getMetadata().getName());
        }
        for (Trigger t : m.all(Trigger.class)) {
            assertThat(admitted).contains("Trigger/" + t.getMetadata().getName());
        }
        Set<String> subjects = new HashSet<>();
        policy.getSpec().getFrom().stream().filter(f -> f.getSub() != null).forEach(f -> subjects.add(f.getSub()));
        for (SinkBinding b : m.all(SinkBinding.class)) {
            Service subject = m.find(Service.class, b.getSpec().getSubject().getName()).orElseThrow();
            assertThat(subjects).as("the Broker admits %s, which posts through K_SINK", subject.getMetadata().getName())
                    .contains("system:serviceaccount:greenloop:" + subject.getSpec().getTemplate().getSpec().getServiceAccountName());
            assertThat(json(subject).at("/spec/template/spec/volumes/0/projected/sources/0/serviceAccountToken/audience").asText())
                    .as("%s's token for the Broker", subject.getMetadata().getName())
                    .isEqualTo("eventing.knative.dev/broker/greenloop/default");
        }
    }

    /** Private by default: only ingest has a public route; in prod every function has a NetworkPolicy. */
    @Test
    void everyFunctionButIngestIsClusterLocalAndProdHasANetworkPolicyForEach() {
        Manifests base = Manifests.load(ROOT.resolve("knative/base"));
        for (Service s : base.all(Service.class)) {
            String visibility = s.getMetadata().getLabels() == null ? null
                    : s.getMetadata().getLabels().get("networking.knative.dev/visibility");
            assertThat(visibility).as(s.getMetadata().getName())
                    .isEqualTo(s.getMetadata().getName().equals("ingest") ? null : "cluster-local");
        }
        Manifests prod = overlay("prod");
        Set<String> covered = new HashSet<>();
        for (HasMetadata o : prod.objects()) {
            if (o.getKind().equals("NetworkPolicy")) {
                covered.add(json(o).at("/spec/podSelector/matchLabels/serving.knative.dev~1service").asText());
            }
        }
        assertThat(covered).containsExactlyInAnyOrderElementsOf(FUNCTIONS);
        for (ServiceAccount a : base.all(ServiceAccount.class)) {
            if (a.getMetadata().getName().startsWith("greenloop-") && !a.getMetadata().getName().equals("greenloop-trainer")) {
                assertThat(a.getAutomountServiceAccountToken()).as("%s needs no API token", a.getMetadata().getName())
                        .isFalse();
            }
        }
    }

    /**
     * Backing-service credentials: the functions that use Kafka take its user and password, those
     * that use MLflow its credentials, from greenloop-secrets and optional (a namespace without
     * them keeps working); the ConfigMap's variables are the settings the code reads; every
     * function with a Kafka or MongoDB client mounts the optional private CA.
     */
    @Test
    void backingServiceCredentialsComeFromTheSecretAndNameRealSettings() {
        Manifests base = Manifests.load(ROOT.resolve("knative/base"));
        Map<String, List<String>> expected = Map.of(
                "ingest", List.of("GREENLOOP_KAFKA_SECURITY_USERNAME", "GREENLOOP_KAFKA_SECURITY_PASSWORD"),
                "preprocess", List.of("GREENLOOP_KAFKA_SECURITY_USERNAME", "GREENLOOP_KAFKA_SECURITY_PASSWORD"),
                "control", List.of("GREENLOOP_KAFKA_SECURITY_USERNAME", "GREENLOOP_KAFKA_SECURITY_PASSWORD"),
                "infer", List.of("GREENLOOP_MLFLOW_USERNAME", "GREENLOOP_MLFLOW_PASSWORD", "GREENLOOP_MLFLOW_TOKEN"),
                "train-launcher", List.of("GREENLOOP_MLFLOW_USERNAME", "GREENLOOP_MLFLOW_PASSWORD", "GREENLOOP_MLFLOW_TOKEN"),
                "monitor", List.of("GREENLOOP_MLFLOW_USERNAME", "GREENLOOP_MLFLOW_PASSWORD", "GREENLOOP_MLFLOW_TOKEN",
                        "GREENLOOP_KAFKA_SECURITY_USERNAME", "GREENLOOP_KAFKA_SECURITY_PASSWORD"));
        Set<String> settings = new HashSet<>();
        for (String key : List.of("protocol", "sasl-mechanism", "username", "password", "ca-file")) {
            settings.add(KafkaSecurity.PREFIX + key);
        }
        for (String key : List.of("username", "password", "token")) {
            settings.add(MlflowCredentials.PREFIX + key);
        }
        settings.add(MongoConnections.CA_FILE);
        Set<String> variables = new HashSet<>();
        settings.forEach(name -> variables.add(name.toUpperCase(java.util.Locale.ROOT).replaceAll("[.-]", "_")));

        for (Service s : base.all(Service.class)) {
            String name = s.getMetadata().getName();
            var c = s.getSpec().getTemplate().getSpec().getContainers().get(0);
            List<String> credentials = c.getEnv().stream().filter(e -> variables.contains(e.getName())).map(e -> {
                assertThat(e.getValueFrom().getSecretKeyRef().getName()).as(name + " " + e.getName()).isEqualTo("greenloop-secrets");
                assertThat(e.getValueFrom().getSecretKeyRef().getOptional()).as(name + " " + e.getName()).isTrue();
                return e.getName();
            }).toList();
            assertThat(credentials).as(name).containsExactlyElementsOf(expected.get(name));
            boolean mountsCa = c.getVolumeMounts().stream().anyMatch(m -> m.getName().equals("greenloop-ca")
                    && m.getMountPath().equals("/etc/greenloop/ca"));
            assertThat(mountsCa).as("%s mounts the private CA", name).isEqualTo(!name.equals("infer"));
        }
        Map<String, String> config = base.find(io.fabric8.kubernetes.api.model.ConfigMap.class, "greenloop-config")
                .orElseThrow().getData();
        config.keySet().stream().filter(k -> k.startsWith("GREENLOOP_KAFKA_SECURITY_") || k.endsWith("_CA_FILE"))
                .forEach(k -> assertThat(variables).as("%s is a setting the code reads", k).contains(k));
        assertThat(config).containsKeys("GREENLOOP_KAFKA_SECURITY_PROTOCOL", "GREENLOOP_KAFKA_SECURITY_CA_FILE",
                "GREENLOOP_MONGODB_TLS_CA_FILE");
    }

    /**
     * The README's kn path deploys every function, without building or pushing (the images come
     * from Jib), after creating every ServiceAccount the Services name.
     */
    @Test
    void theReadmesKnPathDeploysEveryFunctionWithWhatItNeeds() throws IOException {
        String readme = java.nio.file.Files.readString(ROOT.resolve("README.md"));
        Matcher loop = Pattern.compile("for f in ([a-z -]+); do \\(cd functions/\\$f && kn func deploy ([^)]*)\\)").matcher(readme);
        assertThat(loop.find()).as("the kn loop in README.md").isTrue();
        assertThat(List.of(loop.group(1).trim().split(" +"))).containsExactlyInAnyOrderElementsOf(FUNCTIONS);
        assertThat(loop.group(2)).contains("--build=false").contains("--push=false").contains("--namespace $NS");
        assertThat(readme).contains("NS=greenloop");
        assertThat(readme).contains("-f knative/base/service-accounts.yaml");
        for (String name : FUNCTIONS) {
            assertThat(java.nio.file.Files.readString(ROOT.resolve("functions/" + name + "/func.yaml")))
                    .as("%s/func.yaml's deploy line", name).contains("kn func deploy --build=false --push=false --namespace");
            JsonNode func = Manifests.read(ROOT.resolve("functions/" + name + "/func.yaml"));
            assertThat(func.has("namespace") || func.at("/deploy/namespace").isTextual())
                    .as("%s/func.yaml pins no namespace (dev deploys elsewhere)", name).isFalse();
        }
    }

    /**
     * Topics exist where the cluster can create them: the dead-letter KafkaSink declares its
     * partitions and replicas (else it only checks for a topic nothing creates), sized for one
     * broker in dev; the readings KafkaSource orders with its own field, not a Trigger annotation.
     */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void topicsAreDeclaredAndSizedForTheOverlay(String overlay) {
        Manifests m = overlay(overlay);
        HasMetadata sink = m.objects().stream().filter(o -> o.getKind().equals("KafkaSink")).findFirst().orElseThrow();
        assertThat(json(sink).at("/spec/numPartitions").asInt()).isPositive();
        assertThat(json(sink).at("/spec/replicationFactor").asInt()).isEqualTo(3);
        assertThat(m.find(io.fabric8.kubernetes.api.model.ConfigMap.class, "greenloop-kafka-broker-config").orElseThrow()
                .getData()).containsEntry("default.topic.replication.factor", "3");
        // The loader reads an overlay's patches without applying them: dev's must size both for one broker.
        List<String> oneReplica = m.patches().stream().filter(p -> p.at("/patch").asText().contains("value: 1")
                        || p.at("/patch").asText().contains("value: \"1\""))
                .filter(p -> p.at("/patch").asText().contains("replication")).map(p -> p.at("/target/name").asText()).toList();
        assertThat(oneReplica).as(overlay).isEqualTo(overlay.equals("dev")
                ? List.of("greenloop-kafka-broker-config", "dead-letter") : List.of());
        for (HasMetadata o : m.objects()) {
            if (o.getKind().equals("KafkaSource")) {
                assertThat(json(o).at("/spec/ordering").asText()).as(o.getMetadata().getName()).isEqualTo("ordered");
                assertThat(o.getMetadata().getAnnotations() == null ? Map.of() : o.getMetadata().getAnnotations())
                        .as("a Trigger's annotation does nothing on a KafkaSource").doesNotContainKey("kafka.eventing.knative.dev/delivery.order");
            }
        }
    }

    /**
     * Every service-account subject (the Broker's EventPolicy) and every Broker audience (the
     * functions' projected tokens) names the overlay's own namespace, after its patches.
     */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void subjectsAndAudiencesNameTheOverlaysNamespace(String overlay) throws IOException {
        String namespace = YAML.readTree(ROOT.resolve("knative/overlays/" + overlay + "/kustomization.yaml").toFile())
                .path("namespace").asText();
        Manifests m = overlay(overlay);
        Pattern subject = Pattern.compile("system:serviceaccount:([^:]+):(.+)");
        Pattern audience = Pattern.compile("eventing\\.knative\\.dev/broker/([^/]+)/default");
        List<String> wrong = new ArrayList<>();
        int seen = 0;
        for (Rendering.Rendered r : Rendering.of(m)) {
            List<String> values = new ArrayList<>();
            walk(r.object(), "", "sub", (path, v) -> values.add(v.asText()));
            walk(r.object(), "", "audience", (path, v) -> values.add(v.asText()));
            for (String v : values) {
                Matcher s = subject.matcher(v);
                Matcher a = audience.matcher(v);
                if (s.matches()) {
                    seen++;
                    if (!s.group(1).equals(namespace) || !m.has("v1", "ServiceAccount", s.group(2))) {
                        wrong.add(r.name() + ": " + v);
                    }
                } else if (a.matches()) {
                    seen++;
                    if (!a.group(1).equals(namespace)) {
                        wrong.add(r.name() + ": " + v);
                    }
                }
            }
        }
        assertThat(wrong).as("subjects and audiences outside " + namespace).isEmpty();
        assertThat(seen).isGreaterThanOrEqualTo(6);
    }

    /** The release pins every function's image in prod (monitor's was once left to the base's tag). */
    @Test
    void prodPinsTheImageOfEveryFunction() throws IOException {
        JsonNode prod = YAML.readTree(ROOT.resolve("knative/overlays/prod/kustomization.yaml").toFile());
        Set<String> pinned = new TreeSet<>();
        prod.path("images").forEach(i -> pinned.add(i.path("name").asText()));
        assertThat(pinned).containsAll(FUNCTIONS.stream().map(f -> "ghcr.io/greenloop/" + f).toList());
    }

    /**
     * The optional Strimzi component declares the topics the functions write (the names they
     * default to), sized to survive a broker: three replicas, two in sync, partitions enough
     * for several consumers, a retention. No overlay takes it unasked.
     */
    @Test
    void strimziTopicsAreTheFunctionsTopicsAndSurviveABroker() throws IOException {
        Path component = ROOT.resolve("knative/components/strimzi-topics");
        JsonNode kustomization = YAML.readTree(component.resolve("kustomization.yaml").toFile());
        assertThat(kustomization.path("kind").asText()).isEqualTo("Component");
        List<JsonNode> topics = YAML.readerFor(JsonNode.class).<JsonNode>readValues(component.resolve("topics.yaml").toFile()).readAll();
        Map<String, JsonNode> byName = new HashMap<>();
        for (JsonNode t : topics) {
            assertThat(t.path("apiVersion").asText()).isEqualTo("kafka.strimzi.io/v1beta2");
            assertThat(t.path("kind").asText()).isEqualTo("KafkaTopic");
            assertThat(t.at("/metadata/labels/strimzi.io~1cluster").asText()).as("the Kafka cluster it belongs to").isNotEmpty();
            byName.put(t.at("/spec/topicName").asText(), t.path("spec"));
        }
        assertThat(byName.keySet()).containsExactlyInAnyOrder(dev.greenloop.events.Topics.READINGS,
                dev.greenloop.events.Topics.READINGS_QUARANTINE, dev.greenloop.events.Topics.COMMANDS);
        String configs = Files.readString(ROOT.resolve("functions/ingest/src/main/java/dev/greenloop/ingest/IngestConfig.java"))
                + Files.readString(ROOT.resolve("functions/control/src/main/java/dev/greenloop/control/ControlConfig.java"));
        for (Map.Entry<String, JsonNode> t : byName.entrySet()) {
            assertThat(configs).as("a function writes " + t.getKey() + " by default").contains("@WithDefault(\"" + t.getKey() + "\")");
            JsonNode spec = t.getValue();
            assertThat(spec.path("replicas").asInt()).as(t.getKey()).isEqualTo(3);
            assertThat(spec.at("/config/min.insync.replicas").asInt()).as(t.getKey()).isEqualTo(2);
            assertThat(spec.path("partitions").asInt()).as(t.getKey()).isGreaterThanOrEqualTo(3);
            assertThat(spec.at("/config/retention.ms").asLong()).as(t.getKey()).isPositive();
        }
        for (String overlay : List.of("dev", "prod")) {
            assertThat(Files.readString(ROOT.resolve("knative/overlays/" + overlay + "/kustomization.yaml")))
                    .as("optional: for clusters with Strimzi").doesNotContain("strimzi-topics");
        }
    }

    /**
     * No request waits past Serving's default revision timeout (300 s, upstream's
     * {@code config-defaults}), nor sets a response-start timeout: long work (the archive) answers
     * at once and reports through K_SINK. The kn path, which cannot set a timeout, then gives
     * every function no less than its Service.
     */
    @Test
    void timeoutsStayWithinServingsDefaults() {
        long servingDefault = WebhookRules.upstreamDefaults().defaultTimeoutSeconds();
        assertThat(servingDefault).isEqualTo(300);
        Manifests base = Manifests.load(ROOT.resolve("knative/base"));
        for (Service s : base.all(Service.class)) {
            var spec = s.getSpec().getTemplate().getSpec();
            assertThat(spec.getTimeoutSeconds()).as(s.getMetadata().getName()).isNotNull().isBetween(1L, servingDefault);
            assertThat(spec.getResponseStartTimeoutSeconds()).as(s.getMetadata().getName()).isNull();
        }
    }

    private static final Pattern SECRET_REF = Pattern.compile("\\{\\{ secret:([^:}]+):([^ }]+) }}");

    @Test
    void eachFunctionsFuncYamlAgreesWithItsService() throws IOException {
        Manifests base = Manifests.load(ROOT.resolve("knative/base"));
        for (String name : FUNCTIONS) {
            JsonNode func = Manifests.read(ROOT.resolve("functions/" + name + "/func.yaml"));
            Service s = base.find(Service.class, name).orElseThrow();
            var template = s.getSpec().getTemplate();
            var c = template.getSpec().getContainers().get(0);
            assertThat(func.path("name").asText()).isEqualTo(name);
            assertThat(func.path("runtime").asText()).isEqualTo("quarkus");
            // func refuses a project without it ("does not contain an initialized function").
            assertThat(func.path("created").asText()).as("%s: created", name).isNotBlank();
            java.time.OffsetDateTime.parse(func.path("created").asText());
            assertThat(func.path("image").asText()).as(name).isEqualTo(c.getImage());
            JsonNode options = func.at("/deploy/options");
            Map<String, String> annotations = template.getMetadata().getAnnotations();
            assertThat(options.at("/scale/min").asText()).as(name).isEqualTo(annotations.get("autoscaling.knative.dev/min-scale"));
            assertThat(options.at("/scale/max").asText()).as(name).isEqualTo(annotations.get("autoscaling.knative.dev/max-scale"));
            assertThat(options.at("/scale/target").asText()).as(name).isEqualTo(annotations.get("autoscaling.knative.dev/target"));
            assertThat(options.at("/resources/limits/concurrency").asLong()).as(name)
                    .isEqualTo(template.getSpec().getContainerConcurrency());
            assertThat(options.at("/resources/requests/cpu").asText()).isEqualTo(c.getResources().getRequests().get("cpu").toString());
            assertThat(options.at("/resources/limits/memory").asText()).isEqualTo(c.getResources().getLimits().get("memory").toString());
            assertThat(func.at("/deploy/healthEndpoints/readiness").asText()).isEqualTo(c.getReadinessProbe().getHttpGet().getPath());
            assertThat(func.at("/deploy/serviceAccountName").asText(null)).as(name)
                    .isEqualTo(template.getSpec().getServiceAccountName());
            for (String scrape : List.of("prometheus.io/scrape", "prometheus.io/port", "prometheus.io/path")) {
                assertThat(func.at("/deploy/annotations").path(scrape).asText(null)).as("%s: %s in func.yaml", name, scrape)
                        .isNotNull().isEqualTo(annotations.get(scrape));
            }
            Map<String, String> funcLabels = new java.util.TreeMap<>();
            func.at("/deploy/labels").forEach(l -> funcLabels.put(l.path("key").asText(), l.path("value").asText()));
            assertThat(funcLabels.get("networking.knative.dev/visibility")).as("%s: visibility in func.yaml", name)
                    .isEqualTo(s.getMetadata().getLabels().get("networking.knative.dev/visibility"));
            Set<String> funcSecrets = new TreeSet<>();
            for (JsonNode env : func.at("/run/envs")) {
                Matcher matcher = SECRET_REF.matcher(env.path("value").asText());
                if (matcher.matches()) {
                    funcSecrets.add(env.path("name").asText() + "=" + matcher.group(1) + ":" + matcher.group(2));
                }
            }
            Set<String> serviceSecrets = new TreeSet<>();
            c.getEnv().stream().filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
                    .forEach(e -> serviceSecrets.add(e.getName() + "=" + e.getValueFrom().getSecretKeyRef().getName() + ":"
                            + e.getValueFrom().getSecretKeyRef().getKey()));
            assertThat(funcSecrets).as("%s: the same secrets in func.yaml and the Service", name).isEqualTo(serviceSecrets);
        }
    }
}
