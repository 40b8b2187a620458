package dev.greenloop.events.payload;

import dev.greenloop.events.EventException;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The rules payload records enforce in their compact constructors. Mirrors common.v1.schema.json. */
final class Checks {

    /** Ids travel in Kafka keys ({@code greenhouse/zone}) and object names: no slashes, no spaces. */
    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    /** Values must stay inside what a float64 sensor reading can sensibly be. */
    static final double MAX_MAGNITUDE = 1.0e9;

    private Checks() {
    }

    static String id(String field, String value) {
        if (value == null) {
            throw EventException.invalidField(field, "is required");
        }
        if (!ID.matcher(value).matches()) {
            throw EventException.invalidField(field,
                    "must be 1-128 characters of letters, digits, '.', '_', ':' or '-', starting with a letter or digit");
        }
        return value;
    }

    static String optionalId(String field, String value) {
        return value == null ? null : id(field, value);
    }

    static String text(String field, String value, int maxLength) {
        if (value == null || value.isBlank()) {
            throw EventException.invalidField(field, "is required");
        }
        return optionalText(field, value, maxLength);
    }

    static String optionalText(String field, String value, int maxLength) {
        if (value == null) {
            return null;
        }
        if (value.length() > maxLength) {
            throw EventException.invalidField(field, "must be at most " + maxLength + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw EventException.invalidField(field, "must not contain control characters");
            }
        }
        return value;
    }

    static double finite(String field, double value) {
        if (!Double.isFinite(value)) {
            throw EventException.invalidField(field, "must be a finite number");
        }
        if (Math.abs(value) > MAX_MAGNITUDE) {
            throw EventException.invalidField(field, "must be within ±" + MAX_MAGNITUDE);
        }
        return value;
    }

    static <T> T required(String field, T value) {
        if (value == null) {
            throw EventException.invalidField(field, "is required");
        }
        return value;
    }

    static Instant before(String field, Instant end, String startField, Instant start) {
        required(field, end);
        if (!end.isAfter(start)) {
            throw EventException.invalidField(field, "must be after " + startField);
        }
        return end;
    }

    /** Copies a list, rejecting null elements and re-rooting element errors at their index. */
    static <T> List<T> list(String field, List<T> values) {
        if (values == null) {
            return List.of();
        }
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i) == null) {
                throw EventException.invalidField(field + "/" + i, "is required");
            }
        }
        return List.copyOf(values);
    }

    static <T> List<T> nonEmpty(String field, List<T> values) {
        List<T> copy = list(field, values);
        if (copy.isEmpty()) {
            throw EventException.invalidField(field, "must not be empty");
        }
        return copy;
    }

    static Map<String, Double> metrics(String field, Map<String, Double> metrics) {
        if (metrics == null) {
            return Map.of();
        }
        metrics.forEach((name, value) -> {
            text(field, name, 128);
            if (value == null || !Double.isFinite(value)) {
                throw EventException.invalidField(field + "/" + name, "must be a finite number");
            }
        });
        return Map.copyOf(metrics);
    }
}
