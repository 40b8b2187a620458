package dev.greenloop.events.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.events.payload.FeatureWindow;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a feature window from a tree (a function's CloudEvent data) in one pass, without the
 * JSON Schema library, for the windows that plainly meet the contract: every member known and
 * present once, ids and names of the schema's shape, values finite and well inside the schema's
 * limits or null, times in UTC ({@code Z}), as preprocess writes them. Every window reaches
 * infer, monitor and the Broker; the schema walk over its 149 values cost more than the model.
 *
 * <p>Anything else gives {@code null} and the caller takes the full path
 * ({@link PayloadCodec#bind}: the schema, every error with its pointer). So this reader never
 * refuses anything itself, and what it returns equals what the full path binds from the same
 * tree ({@code WindowReaderTest}). Thread-safe.
 */
public final class WindowReader {

    private static final int MAX_NAME = 128;
    private static final int MAX_SOURCE_ID = 256;

    private WindowReader() {
    }

    /** The window in {@code tree}, or {@code null} when only the full path can judge it. */
    public static FeatureWindow read(JsonNode tree) {
        if (tree == null || !tree.isObject()) {
            return null;
        }
        try (JsonParser parser = tree.traverse()) {
            return window(parser);
        } catch (IOException | RuntimeException unusual) {
            // A record refused a value (a repeated name, an end before the start): the full path says where.
            return null;
        }
    }

    private static FeatureWindow window(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        String windowId = null;
        String greenhouse = null;
        String zone = null;
        String spec = null;
        Instant start = null;
        Instant end = null;
        List<String> names = null;
        List<Double> values = null;
        List<String> sources = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            boolean fresh = switch (name) {
                case "windowId" -> windowId == null && (windowId = ReadingsReader.id(p)) != null;
                case "greenhouseId" -> greenhouse == null && (greenhouse = ReadingsReader.id(p)) != null;
                case "zoneId" -> zone == null && (zone = ReadingsReader.id(p)) != null;
                case "featureSpecVersion" -> spec == null && (spec = ReadingsReader.id(p)) != null;
                case "windowStart" -> start == null && (start = ReadingsReader.timestamp(p, true)) != null;
                case "windowEnd" -> end == null && (end = ReadingsReader.timestamp(p, true)) != null;
                case "featureNames" -> names == null && (names = names(p)) != null;
                case "values" -> values == null && (values = values(p)) != null;
                case "sourceEventIds" -> sources == null && (sources = sources(p)) != null;
                default -> false;
            };
            if (!fresh) {
                return null;
            }
        }
        if (windowId == null || greenhouse == null || zone == null || spec == null || start == null || end == null
                || names == null || values == null) {
            return null;
        }
        return new FeatureWindow(windowId, greenhouse, zone, start, end, spec, names, values, sources);
    }

    /** At least one name of {@code [a-z0-9_]{1,128}}; the record refuses repeats. */
    private static List<String> names(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            return null;
        }
        List<String> names = new ArrayList<>(160);
        while (p.nextToken() == JsonToken.VALUE_STRING) {
            String name = p.getText();
            if (!isName(name)) {
                return null;
            }
            names.add(name);
        }
        return p.currentToken() == JsonToken.END_ARRAY && !names.isEmpty() ? names : null;
    }

    private static boolean isName(String name) {
        int n = name.length();
        if (n == 0 || n > MAX_NAME) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** At least one value, each a number well inside ±1e9 (the tree's own double) or null. */
    private static List<Double> values(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            return null;
        }
        List<Double> values = new ArrayList<>(160);
        JsonToken token;
        while ((token = p.nextToken()) != JsonToken.END_ARRAY) {
            if (token == JsonToken.VALUE_NULL) {
                values.add(null);
                continue;
            }
            double value = ReadingsReader.number(p, token, false);
            if (Double.isNaN(value)) {
                return null;
            }
            values.add(value);
        }
        return values.isEmpty() ? null : values;
    }

    /** Strings of 1 to 256 characters, none half of a surrogate pair (so characters are code points). */
    private static List<String> sources(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            return null;
        }
        List<String> sources = new ArrayList<>();
        while (p.nextToken() == JsonToken.VALUE_STRING) {
            String id = p.getText();
            if (id.isEmpty() || id.length() > MAX_SOURCE_ID || id.chars().anyMatch(c -> Character.isSurrogate((char) c))) {
                return null;
            }
            sources.add(id);
        }
        return p.currentToken() == JsonToken.END_ARRAY ? sources : null;
    }
}
