package dev.greenloop.local.wiring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.zjsonpatch.JsonPatch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A kustomization's objects as written, with its inline JSON 6902 patches applied to their
 * targets (group, kind, and name as an anchored regular expression, as kustomize matches them).
 * Namespace, common labels and image tags are left out: they change no field a CRD schema or a
 * webhook judges. A patch of any other form fails the rendering, so a new kind of patch cannot
 * slip past the checks unapplied.
 */
final class Rendering {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** A rendered object and where it came from, for messages. */
    record Rendered(JsonNode object, String origin) {
        String name() {
            return object.path("kind").asText() + "/" + object.at("/metadata/name").asText() + " (" + origin + ")";
        }
    }

    private Rendering() {
    }

    static List<Rendered> of(Manifests m) {
        List<Rendered> out = new ArrayList<>();
        for (Manifests.Entry e : m.entries()) {
            out.add(new Rendered(e.source().deepCopy(), ManifestChecksTest.ROOT.relativize(e.file()).toString()));
        }
        for (JsonNode p : m.patches()) {
            if (!p.has("patch") || !p.has("target")) {
                throw new IllegalArgumentException("only inline patches with a target are rendered: " + p);
            }
            JsonNode ops;
            try {
                ops = YAML.readTree(p.get("patch").asText());
            } catch (IOException e) {
                throw new UncheckedIOException("patch " + p, e);
            }
            if (!ops.isArray()) {
                throw new IllegalArgumentException("only JSON 6902 patches (a list of operations) are rendered: " + p);
            }
            JsonNode target = p.get("target");
            int applied = 0;
            for (int i = 0; i < out.size(); i++) {
                Rendered r = out.get(i);
                if (matches(target, r.object())) {
                    out.set(i, new Rendered(JsonPatch.apply(ops, r.object()), r.origin() + " patched"));
                    applied++;
                }
            }
            if (applied == 0) {
                throw new IllegalArgumentException("patch target matches nothing: " + target);
            }
        }
        return out;
    }

    private static boolean matches(JsonNode target, JsonNode object) {
        String apiVersion = object.path("apiVersion").asText();
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        return (!target.has("group") || target.get("group").asText().equals(group))
                && (!target.has("kind") || target.get("kind").asText().equals(object.path("kind").asText()))
                && (!target.has("name") || Pattern.matches(target.get("name").asText(), object.at("/metadata/name").asText()));
    }
}
