package dev.greenloop.events.json;

import com.ethlo.time.ITU;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.ActuatorState;
import dev.greenloop.events.payload.Reading;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.events.payload.SensorKind;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a readings batch from JSON bytes in one streaming pass, without a tree and without the
 * JSON Schema library, for the batches that plainly meet the contract: every member known and
 * present once, ids and units of the schema's shape, values finite and well inside the schema's
 * limits, times in RFC 3339's common form ({@code 2026-12-01T10:00:00.123Z} or with an offset).
 * Readings are the contract's volume; parsing each into a tree and walking the schema over it
 * cost more than everything else ingest and preprocess do with a reading.
 *
 * <p>Anything else (an unknown or repeated member, a value of another type, a time in a rarer
 * form, a number at the schema's limits, content after the batch) gives {@code null}, and the
 * caller takes the full path: tree, JSON Schema, every error with its pointer. So this reader
 * never refuses anything itself, and what it returns equals what the full path binds from the
 * same bytes ({@code ReadingsReaderTest} holds the two side by side). Thread-safe.
 */
public final class ReadingsReader {

    /** The schema's bounds on a value are ±1e9, inclusive; nearer than this the decimal decides. */
    private static final double LIMIT = 1e9;
    private static final int MAX_ID = 128;
    private static final int MAX_UNIT = 16;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            // Exact, as the JDK's parser, and faster on long decimals.
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build();

    private ReadingsReader() {
    }

    /** The batch in {@code json}, or {@code null} when only the full path can judge it. */
    public static ReadingsBatch read(byte[] json) {
        return read(json, null);
    }

    /**
     * Like {@link #read(byte[])}, for a batch that may leave out its greenhouse.
     *
     * @param greenhouseIfAbsent the greenhouse of a batch that names none (ingest takes it from the
     *                           request's path), or {@code null} when the batch must name it
     */
    public static ReadingsBatch read(byte[] json, String greenhouseIfAbsent) {
        if (json == null || json.length == 0) {
            return null;
        }
        try (JsonParser parser = FACTORY.createParser(json)) {
            // The full path reads bytes with BigDecimal for decimals: no negative zero.
            ReadingsBatch batch = batch(parser, greenhouseIfAbsent, true);
            return batch != null && parser.nextToken() == null ? batch : null;
        } catch (IOException | RuntimeException unusual) {
            // Not JSON, or a record refused a value: the full path says what and where.
            return null;
        }
    }

    /**
     * The batch in a tree already parsed (a function's CloudEvent data), or {@code null} when only
     * the full path ({@link PayloadCodec#bind}: the JSON Schema walk and every error) can judge it.
     * Values are the tree's own, as the full path binds them.
     */
    public static ReadingsBatch read(JsonNode tree) {
        if (tree == null || !tree.isObject()) {
            return null;
        }
        try (JsonParser parser = tree.traverse()) {
            return batch(parser, null, false);
        } catch (IOException | RuntimeException unusual) {
            return null;
        }
    }

    private static ReadingsBatch batch(JsonParser p, String greenhouseIfAbsent, boolean exactDecimals) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        String greenhouse = null;
        String zone = null;
        String device = null;
        List<Reading> readings = null;
        List<ActuatorState> actuators = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "greenhouseId" -> {
                    if (greenhouse != null || (greenhouse = id(p)) == null) {
                        return null;
                    }
                }
                case "zoneId" -> {
                    if (zone != null || (zone = id(p)) == null) {
                        return null;
                    }
                }
                case "deviceId" -> {
                    if (device != null || (device = id(p)) == null) {
                        return null;
                    }
                }
                case "readings" -> {
                    if (readings != null || (readings = items(p, true, exactDecimals, new ArrayList<>())) == null) {
                        return null;
                    }
                }
                case "actuators" -> {
                    if (actuators != null || (actuators = items(p, false, exactDecimals, new ArrayList<>())) == null) {
                        return null;
                    }
                }
                default -> {
                    return null;
                }
            }
        }
        if (greenhouse == null && greenhouseIfAbsent != null && isId(greenhouseIfAbsent)) {
            greenhouse = greenhouseIfAbsent;
        }
        boolean someItem = (readings != null && !readings.isEmpty()) || (actuators != null && !actuators.isEmpty());
        if (greenhouse == null || zone == null || device == null || !someItem) {
            return null;
        }
        return new ReadingsBatch(greenhouse, zone, device, readings == null ? List.of() : readings,
                actuators == null ? List.of() : actuators);
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> items(JsonParser p, boolean readings, boolean exactDecimals, List<T> into)
            throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            return null;
        }
        while (p.nextToken() == JsonToken.START_OBJECT) {
            Object item = item(p, readings, exactDecimals);
            if (item == null) {
                return null;
            }
            into.add((T) item);
        }
        return p.currentToken() == JsonToken.END_ARRAY ? into : null;
    }

    /** A reading or an actuator state: its kind, value, unit and time, each once and nothing else. */
    private static Object item(JsonParser p, boolean reading, boolean exactDecimals) throws IOException {
        String kindField = reading ? "sensor" : "actuator";
        Enum<?> kind = null;
        double value = Double.NaN;
        String unit = null;
        Instant timestamp = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken token = p.nextToken();
            boolean fresh = switch (name) {
                case "value" -> Double.isNaN(value) && !Double.isNaN(value = number(p, token, exactDecimals));
                case "unit" -> unit == null && (unit = unit(p)) != null;
                case "timestamp" -> timestamp == null && (timestamp = timestamp(p)) != null;
                // fromWire throws for an unknown kind: the full path names it.
                default -> name.equals(kindField) && kind == null && token == JsonToken.VALUE_STRING
                        && (kind = reading ? SensorKind.fromWire(p.getText()) : ActuatorKind.fromWire(p.getText())) != null;
            };
            if (!fresh) {
                return null;
            }
        }
        if (kind == null || Double.isNaN(value) || unit == null || timestamp == null) {
            return null;
        }
        return reading ? new Reading((SensorKind) kind, value, unit, timestamp)
                : new ActuatorState((ActuatorKind) kind, value, unit, timestamp);
    }

    /**
     * A JSON number strictly inside ±1e9 as the double the full path binds; NaN for anything else.
     * {@code exactDecimals}: the full path reads decimals as BigDecimal, which has no negative zero.
     */
    static double number(JsonParser p, JsonToken token, boolean exactDecimals) throws IOException {
        double value;
        if (token == JsonToken.VALUE_NUMBER_INT) {
            JsonParser.NumberType type = p.getNumberType();
            if (type != JsonParser.NumberType.INT && type != JsonParser.NumberType.LONG) {
                return Double.NaN;
            }
            value = p.getLongValue();
        } else if (token == JsonToken.VALUE_NUMBER_FLOAT) {
            value = p.getDoubleValue();
        } else {
            return Double.NaN;
        }
        if (value == 0 && exactDecimals) {
            return 0.0;
        }
        return Math.abs(value) < LIMIT ? value : Double.NaN;
    }

    static String id(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            return null;
        }
        String text = p.getText();
        return isId(text) ? text : null;
    }

    /** The schema's id pattern, {@code ^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$}, without a regex. */
    static boolean isId(String text) {
        int n = text.length();
        if (n == 0 || n > MAX_ID || !alphanumeric(text.charAt(0))) {
            return false;
        }
        for (int i = 1; i < n; i++) {
            char c = text.charAt(i);
            if (!alphanumeric(c) && c != '.' && c != '_' && c != ':' && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean alphanumeric(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }

    /**
     * A unit of 1 to 16 characters, none of them half of a surrogate pair (so characters are code
     * points, which the schema counts), not blank; the record checks the rest.
     */
    private static String unit(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            return null;
        }
        String text = p.getText();
        int n = text.length();
        if (n == 0 || n > MAX_UNIT || text.isBlank()) {
            return null;
        }
        for (int i = 0; i < n; i++) {
            if (Character.isSurrogate(text.charAt(i))) {
                return null;
            }
        }
        return text;
    }

    /**
     * A time of the form {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}](Z|±HH:mm)}, year 1000 or later,
     * seconds below 60, offset hours below 24, and not {@code -00:00}; parsed as the full path
     * does. Null for anything else.
     */
    static Instant timestamp(JsonParser p) throws IOException {
        return timestamp(p, false);
    }

    /** Like {@link #timestamp(JsonParser)}; {@code utcOnly}: only the {@code Z} form. */
    static Instant timestamp(JsonParser p, boolean utcOnly) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            return null;
        }
        String t = p.getText();
        int n = t.length();
        if (n < 20 || !digits(t, 0, 4) || t.charAt(0) == '0' || t.charAt(4) != '-' || !digits(t, 5, 2)
                || t.charAt(7) != '-' || !digits(t, 8, 2) || t.charAt(10) != 'T' || !digits(t, 11, 2)
                || t.charAt(13) != ':' || !digits(t, 14, 2) || t.charAt(16) != ':' || !digits(t, 17, 2)
                || twoDigits(t, 11) > 23 || twoDigits(t, 14) > 59 || twoDigits(t, 17) > 59) {
            return null;
        }
        int i = 19;
        if (t.charAt(i) == '.') {
            int start = ++i;
            while (i < n && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
                i++;
            }
            if (i == start || i - start > 9) {
                return null;
            }
        }
        if (i == n - 1 && t.charAt(i) == 'Z') {
            return ITU.parseDateTime(t).toInstant();
        }
        if (utcOnly || i != n - 6 || (t.charAt(i) != '+' && t.charAt(i) != '-') || !digits(t, i + 1, 2) || t.charAt(i + 3) != ':'
                || !digits(t, i + 4, 2) || twoDigits(t, i + 1) > 23 || twoDigits(t, i + 4) > 59
                || t.endsWith("-00:00")) {
            return null;
        }
        return ITU.parseDateTime(t).toInstant();
    }

    private static boolean digits(String t, int from, int count) {
        for (int i = from; i < from + count; i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static int twoDigits(String t, int at) {
        return (t.charAt(at) - '0') * 10 + (t.charAt(at + 1) - '0');
    }
}
