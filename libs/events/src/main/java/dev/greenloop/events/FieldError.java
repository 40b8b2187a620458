package dev.greenloop.events;

import java.util.Objects;

/**
 * One problem with one field of a payload.
 *
 * @param pointer RFC 6901 JSON pointer to the offending field ({@code ""} for the whole document)
 * @param message what is wrong, in words meant for the person who sent the data
 * @param rule    what kind of rule was broken: the JSON Schema keyword ({@code type},
 *                {@code required}, {@code enum}, {@code maximum}, ...) or {@link #RECORD_RULE}
 *                for a rule of the payload record
 */
public record FieldError(String pointer, String message, String rule) {

    /** The rule name of errors found by a payload record's own checks. */
    public static final String RECORD_RULE = "record";

    public FieldError {
        Objects.requireNonNull(pointer, "pointer");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(rule, "rule");
    }

    /**
     * Whether the error is about the shape of the JSON (wrong type, missing or unknown member,
     * unparseable string format) rather than about an unacceptable value.
     */
    public boolean isStructural() {
        return switch (rule) {
            case "type", "required", "additionalProperties", "format", "const", "propertyNames" -> true;
            default -> false;
        };
    }

    @Override
    public String toString() {
        return (pointer.isEmpty() ? "(document)" : pointer) + ": " + message;
    }
}
