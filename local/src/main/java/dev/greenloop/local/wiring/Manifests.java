package dev.greenloop.local.wiring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The objects a kustomization deploys, read into fabric8's typed Kubernetes and Knative models:
 * follows {@code resources} (files, and directories with their own kustomization) and
 * {@code components}, and records what {@code secretGenerator} and {@code configMapGenerator}
 * make (names and keys). Patches are recorded, not applied; {@code namespace} and
 * {@code labels} are not applied either (they do not change names or references).
 * The local dispatcher and the manifest checks both read the wiring this way.
 */
public final class Manifests {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();
    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

    /** A Secret or ConfigMap a generator makes, with its keys. */
    public record Generated(String kind, String name, Set<String> keys) {
    }

    /** An object, the file it came from, and the document as written (every field, typed or not). */
    public record Entry(HasMetadata object, Path file, JsonNode source) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private final List<Generated> generated = new ArrayList<>();
    private final List<JsonNode> patches = new ArrayList<>();
    private final Set<Path> kustomizations = new LinkedHashSet<>();

    private Manifests() {
    }

    /** Everything {@code dir}'s kustomization.yaml deploys. */
    public static Manifests load(Path dir) {
        Manifests m = new Manifests();
        m.kustomization(dir.toAbsolutePath().normalize());
        return m;
    }

    /** The objects of one manifest file (no kustomization). */
    public static List<HasMetadata> parse(Path file) {
        return documentsOf(file).stream().map(Entry::object).toList();
    }

    private static List<Entry> documentsOf(Path file) {
        List<Entry> out = new ArrayList<>();
        for (String doc : documents(file)) {
            try {
                out.add(new Entry(object(doc, file), file, YAML.readTree(doc)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        return out;
    }

    public List<Entry> entries() {
        return Collections.unmodifiableList(entries);
    }

    public List<HasMetadata> objects() {
        return entries.stream().map(Entry::object).toList();
    }

    public <T extends HasMetadata> List<T> all(Class<T> type) {
        return entries.stream().map(Entry::object).filter(type::isInstance).map(type::cast).toList();
    }

    public <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
        return all(type).stream().filter(o -> name.equals(o.getMetadata().getName())).findFirst();
    }

    /** Whether an object of {@code kind} (and {@code apiVersion}'s group, when given) named {@code name} is deployed. */
    public boolean has(String apiVersion, String kind, String name) {
        String group = apiVersion == null ? null : group(apiVersion);
        return entries.stream().map(Entry::object).anyMatch(o -> o.getKind().equals(kind)
                && name.equals(o.getMetadata().getName()) && (group == null || group.equals(group(o.getApiVersion()))));
    }

    public List<Generated> generated() {
        return Collections.unmodifiableList(generated);
    }

    public List<JsonNode> patches() {
        return Collections.unmodifiableList(patches);
    }

    public Set<Path> kustomizations() {
        return Collections.unmodifiableSet(kustomizations);
    }

    private static String group(String apiVersion) {
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    private void kustomization(Path dir) {
        Path file = dir.resolve("kustomization.yaml");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(dir + " has no kustomization.yaml");
        }
        if (!kustomizations.add(file)) {
            return;
        }
        JsonNode k = read(file);
        for (JsonNode r : k.path("resources")) {
            Path p = dir.resolve(r.asText()).normalize();
            if (Files.isDirectory(p)) {
                kustomization(p);
            } else {
                entries.addAll(documentsOf(p));
            }
        }
        for (JsonNode c : k.path("components")) {
            kustomization(dir.resolve(c.asText()).normalize());
        }
        k.path("patches").forEach(patches::add);
        for (String kind : List.of("secretGenerator", "configMapGenerator")) {
            for (JsonNode g : k.path(kind)) {
                Set<String> keys = new LinkedHashSet<>();
                for (JsonNode literal : g.path("literals")) {
                    keys.add(literal.asText().substring(0, literal.asText().indexOf('=')));
                }
                for (JsonNode env : g.path("envs")) {
                    keys.addAll(envKeys(dir.resolve(env.asText())));
                }
                for (JsonNode f : g.path("files")) {
                    String entry = f.asText();
                    int eq = entry.indexOf('=');
                    Path source = dir.resolve(eq < 0 ? entry : entry.substring(eq + 1));
                    if (!Files.isRegularFile(source)) {
                        throw new IllegalArgumentException(g.path("name").asText() + " names " + source + ", which is not there");
                    }
                    keys.add(eq < 0 ? source.getFileName().toString() : entry.substring(0, eq));
                }
                generated.add(new Generated(kind.startsWith("secret") ? "Secret" : "ConfigMap", g.path("name").asText(), keys));
            }
        }
    }

    /**
     * The keys of a generator's env file; when the file is kept out of git, those of the
     * committed {@code <file>.example} that documents it.
     */
    private static Set<String> envKeys(Path env) {
        Path file = Files.exists(env) ? env : env.resolveSibling(env.getFileName() + ".example");
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the generator's env file " + env + " (nor " + file + ")", e);
        }
        return new LinkedHashSet<>(p.stringPropertyNames());
    }

    static JsonNode read(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static List<String> documents(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        List<String> docs = new ArrayList<>();
        for (String doc : DOCUMENT_SEPARATOR.split(text)) {
            boolean empty = doc.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"));
            if (!empty) {
                docs.add(doc);
            }
        }
        return docs;
    }

    private static HasMetadata object(String doc, Path file) {
        KubernetesResource r;
        try {
            r = KUBERNETES.unmarshal(doc);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": not a Kubernetes object: " + e.getMessage(), e);
        }
        if (!(r instanceof HasMetadata o)) {
            throw new IllegalArgumentException(file + ": " + r.getClass().getSimpleName() + " is not an object with metadata");
        }
        return o;
    }

    /** Every object by {@code kind/name}, for messages. */
    public Map<String, Path> index() {
        Map<String, Path> m = new LinkedHashMap<>();
        entries.forEach(e -> m.put(e.object().getKind() + "/" + e.object().getMetadata().getName(), e.file()));
        return m;
    }
}
