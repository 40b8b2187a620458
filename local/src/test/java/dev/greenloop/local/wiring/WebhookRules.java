package dev.greenloop.local.wiring;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules Knative's admission webhooks enforce beyond the CRD schemas, for the kinds greenloop
 * deploys, with the limits taken from upstream's default ConfigMaps (vendored beside the CRDs).
 * Sources of each rule, at the vendored releases: Serving's {@code pkg/apis/serving/k8s_validation.go},
 * {@code v1/revision_validation.go} and {@code autoscaling/annotation_validation.go}; Eventing's
 * {@code duck/v1/delivery_types.go} and the Trigger, PingSource, SinkBinding validations;
 * eventing-kafka-broker's {@code kafka_validation.go} and {@code kafka_sink_validation.go}.
 */
final class WebhookRules {

    private static final Pattern DNS_1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
    private static final Set<String> RESERVED_ENV = Set.of("PORT", "K_SERVICE", "K_CONFIGURATION", "K_REVISION");
    /** Queue proxy, its admin and metrics ports, and the profiling port. */
    private static final Set<Integer> RESERVED_PORTS = Set.of(8012, 8013, 8022, 9090, 9091, 8008);
    private static final Set<String> RESERVED_PATHS = Set.of("/", "/dev", "/dev/log");
    private static final String AUTOSCALING = "autoscaling.knative.dev/";

    private final long maxTimeout;
    private final long defaultTimeout;
    private final long concurrencyLimit;
    private final boolean zeroInitialScale;
    private final long maxScaleLimit;
    private final Map<String, String> eventingFeatures;

    WebhookRules(Map<String, String> servingDefaults, Map<String, String> autoscaler, Map<String, String> eventingFeatures) {
        this.eventingFeatures = eventingFeatures;
        this.maxTimeout = Long.parseLong(servingDefaults.get("max-revision-timeout-seconds"));
        this.defaultTimeout = Long.parseLong(servingDefaults.get("revision-timeout-seconds"));
        this.concurrencyLimit = Long.parseLong(servingDefaults.get("container-concurrency-max-limit"));
        this.zeroInitialScale = Boolean.parseBoolean(autoscaler.get("allow-zero-initial-scale"));
        this.maxScaleLimit = Long.parseLong(autoscaler.get("max-scale-limit"));
    }

    static WebhookRules upstreamDefaults() {
        return new WebhookRules(UpstreamSchemas.settings("knative-serving/config-defaults.yaml"),
                UpstreamSchemas.settings("knative-serving/config-autoscaler.yaml"), UpstreamSchemas.eventingFeatures());
    }

    long defaultTimeoutSeconds() {
        return defaultTimeout;
    }

    /** What the webhook of {@code object}'s kind would refuse; empty when it admits it. */
    List<String> check(JsonNode object) {
        List<String> errors = new ArrayList<>();
        JsonNode spec = object.path("spec");
        switch (object.path("apiVersion").asText() + " " + object.path("kind").asText()) {
            case "serving.knative.dev/v1 Service" -> service(object, errors);
            case "eventing.knative.dev/v1 Broker" -> delivery(spec.path("delivery"), "/spec/delivery", errors);
            case "eventing.knative.dev/v1 Trigger" -> {
                if (spec.path("broker").asText().isEmpty() && !spec.has("brokerRef")) {
                    errors.add("/spec/broker: missing field");
                }
                destination(spec.path("subscriber"), "/spec/subscriber", errors);
                spec.at("/filter/attributes").fieldNames().forEachRemaining(name -> {
                    if (!name.matches("[a-z0-9]+")) {
                        errors.add("/spec/filter/attributes/" + name + ": an attribute name is lower-case letters and digits");
                    }
                });
                delivery(spec.path("delivery"), "/spec/delivery", errors);
            }
            case "sources.knative.dev/v1 PingSource" -> {
                if (spec.path("schedule").asText().isBlank()) {
                    errors.add("/spec/schedule: missing field");
                }
                if (spec.has("data") && spec.has("dataBase64")) {
                    errors.add("/spec: expected exactly one, got both: data, dataBase64");
                }
                if (spec.has("timezone")) {
                    try {
                        java.time.ZoneId.of(spec.get("timezone").asText());
                    } catch (java.time.DateTimeException e) {
                        errors.add("/spec/timezone: invalid value " + spec.get("timezone"));
                    }
                }
                destination(spec.path("sink"), "/spec/sink", errors);
            }
            case "sources.knative.dev/v1 ApiServerSource" -> {
                if (spec.path("resources").isEmpty()) {
                    errors.add("/spec/resources: missing field");
                }
                String mode = spec.path("mode").asText("Reference");
                if (!mode.equals("Reference") && !mode.equals("Resource")) {
                    errors.add("/spec/mode: invalid value " + mode);
                }
                destination(spec.path("sink"), "/spec/sink", errors);
            }
            case "sources.knative.dev/v1 SinkBinding" -> {
                if (!spec.has("subject")) {
                    errors.add("/spec/subject: missing field");
                }
                destination(spec.path("sink"), "/spec/sink", errors);
            }
            case "sources.knative.dev/v1beta1 KafkaSource", "sources.knative.dev/v1 KafkaSource" -> {
                if (spec.path("topics").isEmpty()) {
                    errors.add("/spec/topics: missing field");
                }
                if (spec.path("bootstrapServers").isEmpty()) {
                    errors.add("/spec/bootstrapServers: missing field");
                }
                String offset = spec.path("initialOffset").asText("latest");
                if (!offset.equals("earliest") && !offset.equals("latest")) {
                    errors.add("/spec/initialOffset: invalid value " + offset);
                }
                if (spec.has("ordering") && !Set.of("ordered", "unordered").contains(spec.get("ordering").asText())) {
                    errors.add("/spec/ordering: invalid value " + spec.get("ordering"));
                }
                destination(spec.path("sink"), "/spec/sink", errors);
                delivery(spec.path("delivery"), "/spec/delivery", errors);
            }
            case "eventing.knative.dev/v1alpha1 KafkaSink" -> {
                if (spec.path("topic").asText().isEmpty()) {
                    errors.add("/spec/topic: invalid value \"\"");
                }
                if (spec.path("bootstrapServers").isEmpty()) {
                    errors.add("/spec/bootstrapServers: invalid value []");
                }
                String mode = spec.path("contentMode").asText("binary");
                if (!mode.equals("binary") && !mode.equals("structured")) {
                    errors.add("/spec/contentMode: invalid value " + mode);
                }
                for (String field : List.of("numPartitions", "replicationFactor")) {
                    if (spec.has(field) && spec.get(field).asLong() <= 0) {
                        errors.add("/spec/" + field + ": invalid value " + spec.get(field));
                    }
                }
            }
            default -> {
            }
        }
        return errors;
    }

    private void service(JsonNode service, List<String> errors) {
        String name = service.at("/metadata/name").asText();
        if (!DNS_1035_LABEL.matcher(name).matches() || name.length() > 63) {
            errors.add("/metadata/name: not a DNS-1035 label: " + name);
        }
        JsonNode spec = service.at("/spec/template/spec");
        long timeout = spec.path("timeoutSeconds").asLong(defaultTimeout);
        if (timeout < 0 || timeout > maxTimeout) {
            errors.add("/spec/template/spec/timeoutSeconds: expected 0 <= " + timeout + " <= " + maxTimeout);
        }
        if (spec.has("responseStartTimeoutSeconds") && spec.get("responseStartTimeoutSeconds").asLong() > timeout) {
            errors.add("/spec/template/spec/responseStartTimeoutSeconds: must be at most timeoutSeconds (" + timeout + ")");
        }
        if (spec.has("idleTimeoutSeconds") && spec.get("idleTimeoutSeconds").asLong() > maxTimeout) {
            errors.add("/spec/template/spec/idleTimeoutSeconds: expected at most " + maxTimeout);
        }
        long concurrency = spec.path("containerConcurrency").asLong(0);
        if (concurrency < 0 || concurrency > concurrencyLimit) {
            errors.add("/spec/template/spec/containerConcurrency: expected 0 <= " + concurrency + " <= " + concurrencyLimit);
        }
        Set<String> volumes = new HashSet<>();
        spec.path("volumes").forEach(v -> volumes.add(v.path("name").asText()));
        Set<String> mounted = new HashSet<>();
        int ports = 0;
        for (int i = 0; i < spec.path("containers").size(); i++) {
            JsonNode c = spec.path("containers").get(i);
            String at = "/spec/template/spec/containers/" + i;
            if (c.path("image").asText().isEmpty()) {
                errors.add(at + "/image: missing field");
            }
            if (c.path("ports").size() > 1) {
                errors.add(at + "/ports: more than one container port is set");
            }
            ports += c.path("ports").size();
            for (JsonNode p : c.path("ports")) {
                if (RESERVED_PORTS.contains(p.path("containerPort").asInt())) {
                    errors.add(at + "/ports: " + p.path("containerPort").asInt() + " is a reserved port");
                }
            }
            for (JsonNode e : c.path("env")) {
                if (RESERVED_ENV.contains(e.path("name").asText())) {
                    errors.add(at + "/env: " + e.path("name").asText() + " is a reserved environment variable");
                }
            }
            for (JsonNode m : c.path("volumeMounts")) {
                String path = m.path("mountPath").asText();
                if (!path.startsWith("/") || RESERVED_PATHS.contains(java.nio.file.Path.of(path).normalize().toString())) {
                    errors.add(at + "/volumeMounts: " + path + " is not an absolute path or is reserved");
                }
                if (!volumes.contains(m.path("name").asText())) {
                    errors.add(at + "/volumeMounts: volume " + m.path("name").asText() + " does not exist");
                }
                mounted.add(m.path("name").asText());
            }
        }
        if (spec.path("containers").size() > 1 && ports != 1) {
            errors.add("/spec/template/spec/containers: exactly one container of several must name a port");
        }
        for (String v : volumes) {
            if (!mounted.contains(v)) {
                errors.add("/spec/template/spec/volumes: volume " + v + " is not mounted");
            }
        }
        autoscaling(service.at("/spec/template/metadata/annotations"), errors);
        service.at("/metadata/annotations").fieldNames().forEachRemaining(a -> {
            if (a.startsWith(AUTOSCALING)) {
                errors.add("/metadata/annotations/" + a + ": autoscaling belongs on spec.template.metadata");
            }
        });
    }

    private void autoscaling(JsonNode annotations, List<String> errors) {
        String at = "/spec/template/metadata/annotations/";
        Long min = scale(annotations, "min-scale", errors);
        Long max = scale(annotations, "max-scale", errors);
        if (min != null && max != null && max > 0 && min > max) {
            errors.add(at + AUTOSCALING + "min-scale: " + min + " is above max-scale " + max);
        }
        if (max != null && maxScaleLimit > 0 && (max == 0 || max > maxScaleLimit)) {
            errors.add(at + AUTOSCALING + "max-scale: must be within 1 and " + maxScaleLimit);
        }
        Long initial = scale(annotations, "initial-scale", errors);
        if (initial != null && initial == 0 && !zeroInitialScale) {
            errors.add(at + AUTOSCALING + "initial-scale: 0 needs allow-zero-initial-scale");
        }
        String cls = annotations.path(AUTOSCALING + "class").asText("kpa.autoscaling.knative.dev");
        if (!Set.of("kpa.autoscaling.knative.dev", "hpa.autoscaling.knative.dev").contains(cls)) {
            errors.add(at + AUTOSCALING + "class: unknown autoscaler class " + cls);
        }
        if (annotations.has(AUTOSCALING + "metric")) {
            String metric = annotations.get(AUTOSCALING + "metric").asText();
            Set<String> allowed = cls.startsWith("kpa") ? Set.of("concurrency", "rps") : Set.of("cpu", "memory", "concurrency", "rps");
            if (!allowed.contains(metric)) {
                errors.add(at + AUTOSCALING + "metric: " + metric + " is not a metric of " + cls);
            }
        }
        if (annotations.has(AUTOSCALING + "target")) {
            try {
                if (Double.parseDouble(annotations.get(AUTOSCALING + "target").asText()) < 0.01) {
                    errors.add(at + AUTOSCALING + "target: must be at least 0.01");
                }
            } catch (NumberFormatException e) {
                errors.add(at + AUTOSCALING + "target: not a number");
            }
        }
    }

    private static Long scale(JsonNode annotations, String key, List<String> errors) {
        if (!annotations.has(AUTOSCALING + key)) {
            return null;
        }
        try {
            long v = Long.parseLong(annotations.get(AUTOSCALING + key).asText());
            if (v < 0) {
                errors.add("/spec/template/metadata/annotations/" + AUTOSCALING + key + ": must be 0 or more");
            }
            return v;
        } catch (NumberFormatException e) {
            errors.add("/spec/template/metadata/annotations/" + AUTOSCALING + key + ": not an integer");
            return null;
        }
    }

    private static void destination(JsonNode d, String at, List<String> errors) {
        if (d.isMissingNode() || (!d.has("ref") && !d.has("uri"))) {
            errors.add(at + ": expected at least one, got neither: ref, uri");
        }
    }

    private void delivery(JsonNode d, String at, List<String> errors) {
        if (d.isMissingNode()) {
            return;
        }
        if (d.has("retry") && d.get("retry").asLong() < 0) {
            errors.add(at + "/retry: must be >= 0");
        }
        if (d.has("backoffPolicy") && !Set.of("linear", "exponential").contains(d.get("backoffPolicy").asText())) {
            errors.add(at + "/backoffPolicy: invalid value " + d.get("backoffPolicy"));
        }
        for (String field : List.of("backoffDelay", "timeout", "retryAfterMax")) {
            if (d.has(field)) {
                try {
                    Duration.parse(d.get(field).asText());
                } catch (DateTimeParseException e) {
                    errors.add(at + "/" + field + ": not an ISO 8601 duration: " + d.get(field).asText());
                }
            }
        }
        for (Map.Entry<String, String> flagged : Map.of("timeout", "delivery-timeout", "retryAfterMax", "delivery-retryafter")
                .entrySet()) {
            if (d.has(flagged.getKey()) && !"enabled".equals(eventingFeatures.get(flagged.getValue()))) {
                errors.add(at + "/" + flagged.getKey() + ": needs Eventing's feature flag " + flagged.getValue() + " (off by default)");
            }
        }
        if (d.has("deadLetterSink")) {
            destination(d.get("deadLetterSink"), at + "/deadLetterSink", errors);
        }
    }
}
