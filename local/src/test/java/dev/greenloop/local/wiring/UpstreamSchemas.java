package dev.greenloop.local.wiring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The CustomResourceDefinitions of the Knative releases greenloop targets, vendored under
 * {@code src/test/resources/upstream} (see its README), as JSON Schemas that objects are checked
 * against, strictly: a field the CRD does not name is an error, as it is for Knative's webhooks,
 * which decode with unknown fields disallowed even where the CRD preserves them for the API
 * server. Serving's fields that need a feature flag (their description says so) are errors
 * unless upstream's {@code config-features} enables the flag by default.
 */
final class UpstreamSchemas {

    static final Path DIR = Path.of("src/test/resources/upstream").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern FLAG = Pattern.compile("behind a feature flag - ([a-z0-9.-]+)");
    private static final Pattern SETTING = Pattern.compile("(?m)^\\s*([a-z][a-z0-9.-]*):\\s*\"?([^\"#\\s]*)\"?");

    /** One served version of a CRD: its raw OpenAPI schema (for flags) and the strict JSON Schema. */
    private record Crd(JsonNode openApi, Schema schema) {
    }

    private final Map<String, Crd> crds = new HashMap<>();
    private final Set<String> enabledFlags = new TreeSet<>();

    private UpstreamSchemas() {
    }

    static UpstreamSchemas load() {
        UpstreamSchemas s = new UpstreamSchemas();
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7,
                b -> b.schemaRegistryConfig(SchemaRegistryConfig.builder().pathType(PathType.JSON_POINTER).build()));
        try (Stream<Path> files = Files.walk(DIR)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml") && !f.getFileName().toString().startsWith("config-"))
                    .sorted().toList()) {
                JsonNode crd = YAML.readTree(file.toFile());
                String group = crd.at("/spec/group").asText();
                String kind = crd.at("/spec/names/kind").asText();
                for (JsonNode version : crd.at("/spec/versions")) {
                    if (!version.path("served").asBoolean()) {
                        continue;
                    }
                    JsonNode openApi = version.at("/schema/openAPIV3Schema");
                    ObjectNode strict = strict(openApi, true);
                    ObjectNode props = (ObjectNode) strict.with("properties");
                    props.set("apiVersion", JSON.createObjectNode().put("type", "string"));
                    props.set("kind", JSON.createObjectNode().put("type", "string"));
                    props.set("metadata", JSON.createObjectNode().put("type", "object"));
                    Schema schema = registry.getSchema(strict);
                    schema.initializeValidators();
                    s.crds.put(group + "/" + version.path("name").asText() + " " + kind, new Crd(openApi, schema));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        s.settings("knative-serving/config-features.yaml").forEach((flag, value) -> {
            if (value.equals("enabled")) {
                s.enabledFlags.add(flag);
            }
        });
        return s;
    }

    /** Upstream's defaults of one of Serving's ConfigMaps (the commented {@code _example} block), by key. */
    static Map<String, String> settings(String file) {
        try {
            String example = YAML.readTree(DIR.resolve(file).toFile()).at("/data/_example").asText();
            Map<String, String> out = new TreeMap<>();
            for (String line : example.lines().toList()) {
                Matcher m = SETTING.matcher(line);
                if (m.lookingAt() && !line.stripLeading().startsWith("#")) {
                    out.put(m.group(1), m.group(2));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Eventing's feature flags as a cluster following the README has them: upstream's defaults,
     * with {@code authentication-oidc} on (a prerequisite, see the README's "Sender identity").
     */
    static Map<String, String> eventingFeatures() {
        try {
            Map<String, String> out = new TreeMap<>();
            YAML.readTree(DIR.resolve("knative-eventing/config-features.yaml").toFile()).path("data")
                    .fields().forEachRemaining(f -> out.put(f.getKey(), f.getValue().asText()));
            out.put("authentication-oidc", "enabled");
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean knows(JsonNode object) {
        return crds.containsKey(key(object));
    }

    Set<String> kinds() {
        return new TreeSet<>(crds.keySet());
    }

    /** Every way {@code object} breaks its CRD, as {@code /pointer: message}; empty when it is valid. */
    List<String> validate(JsonNode object) {
        Crd crd = crds.get(key(object));
        if (crd == null) {
            return List.of("no vendored CRD for " + key(object));
        }
        List<String> errors = new ArrayList<>();
        for (Error e : crd.schema().validate(object)) {
            String at = e.getInstanceLocation().toString();
            String message = e.getMessage().startsWith(at + ": ") ? e.getMessage().substring(at.length() + 2) : e.getMessage();
            errors.add((at.isEmpty() ? "/" : at) + ": " + message);
        }
        flags(object, crd.openApi(), "", errors);
        return errors;
    }

    private static String key(JsonNode object) {
        return object.path("apiVersion").asText() + " " + object.path("kind").asText();
    }

    /** Fields present in {@code node} whose CRD description puts them behind a flag that is off. */
    private void flags(JsonNode node, JsonNode schema, String at, List<String> errors) {
        if (node.isObject() && schema.has("properties")) {
            node.fields().forEachRemaining(f -> {
                JsonNode field = schema.path("properties").path(f.getKey());
                Matcher flag = FLAG.matcher(field.path("description").asText());
                String path = at + "/" + f.getKey();
                if (flag.find() && !enabledFlags.contains(flag.group(1))) {
                    errors.add(path + ": needs Serving's feature flag " + flag.group(1) + " (off by default)");
                }
                flags(f.getValue(), field, path, errors);
            });
        } else if (node.isArray() && schema.has("items")) {
            for (int i = 0; i < node.size(); i++) {
                flags(node.get(i), schema.get("items"), at + "/" + i, errors);
            }
        }
    }

    /**
     * An OpenAPI v3 schema of a CRD as a JSON Schema: objects with named properties admit no
     * others ({@code strictHere} is false inside {@code anyOf}/{@code allOf}/{@code oneOf}/{@code not},
     * whose branches only add constraints), {@code x-kubernetes-int-or-string} is an integer or a
     * string, {@code nullable} admits null, and Kubernetes' own formats (int32, byte, ...) are
     * dropped.
     */
    static ObjectNode strict(JsonNode s, boolean strictHere) {
        ObjectNode out = JSON.createObjectNode();
        boolean nullable = s.path("nullable").asBoolean();
        if (s.path("x-kubernetes-int-or-string").asBoolean()) {
            ArrayNode any = out.putArray("anyOf");
            any.addObject().put("type", "integer");
            any.addObject().put("type", "string");
            if (nullable) {
                any.addObject().put("type", "null");
            }
        } else if (s.has("type")) {
            if (nullable) {
                out.putArray("type").add(s.get("type").asText()).add("null");
            } else {
                out.put("type", s.get("type").asText());
            }
        }
        for (String keyword : List.of("enum", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                "minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "required", "minProperties", "maxProperties")) {
            if (s.has(keyword)) {
                out.set(keyword, s.get(keyword));
            }
        }
        if (s.has("properties")) {
            ObjectNode props = out.putObject("properties");
            s.get("properties").fields().forEachRemaining(f -> props.set(f.getKey(), strict(f.getValue(), true)));
            if (strictHere && !s.has("additionalProperties")) {
                out.put("additionalProperties", false);
            }
        }
        if (s.has("additionalProperties")) {
            JsonNode ap = s.get("additionalProperties");
            out.set("additionalProperties", ap.isBoolean() ? ap : strict(ap, true));
        }
        if (s.has("items")) {
            out.set("items", strict(s.get("items"), true));
        }
        for (String keyword : List.of("anyOf", "allOf", "oneOf")) {
            if (s.has(keyword)) {
                ArrayNode branches = out.putArray(keyword);
                s.get(keyword).forEach(b -> branches.add(strict(b, false)));
            }
        }
        if (s.has("not")) {
            out.set("not", strict(s.get("not"), false));
        }
        return out;
    }
}
