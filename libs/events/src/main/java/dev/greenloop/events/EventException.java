package dev.greenloop.events;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Everything that can go wrong with an event of the contract: reading it, validating it, or
 * verifying a signed command. The {@link Kind} says what happened and whether trying again can
 * help; {@link #fieldErrors()} lists every offending field with its JSON pointer.
 */
public final class EventException extends RuntimeException {

    /** What went wrong. Only {@link #retriable()} kinds are worth a redelivery. */
    public enum Kind {
        /** The bytes are not JSON, or not JSON of the expected shape. */
        MALFORMED_JSON(false),
        /** The JSON does not satisfy the payload's JSON Schema. */
        SCHEMA_VIOLATION(false),
        /** A field violates a rule the payload record enforces. */
        INVALID_FIELD(false),
        /** The CloudEvent type is not one of {@link EventTypes}. */
        UNKNOWN_TYPE(false),
        /** A CloudEvent attribute is missing or wrong (content type, extension, ...). */
        INVALID_ATTRIBUTE(false),
        /** A command arrived without a signature. */
        UNSIGNED(false),
        /** A command is signed with a key the verifier does not hold for its greenhouse. */
        UNKNOWN_KEY(false),
        /** A command's signature does not match its content. */
        BAD_SIGNATURE(false),
        /** A command is issued in the future beyond the allowed clock skew. */
        NOT_YET_VALID(false),
        /** A command is past its expiry, or its lifetime exceeds the verifier's maximum. */
        EXPIRED(false),
        /** A command's nonce was seen before. */
        REPLAYED(false),
        /** The verifier cannot remember more nonces right now; the command was not acted on. */
        NONCE_CAPACITY(true),
        /** The nonce store cannot be reached: the command was not acted on (fail closed); retry later. */
        NONCE_STORE_UNAVAILABLE(true);

        private final boolean retriable;

        Kind(boolean retriable) {
            this.retriable = retriable;
        }

        public boolean retriable() {
            return retriable;
        }
    }

    private final Kind kind;
    private final transient List<FieldError> fieldErrors;

    private EventException(Kind kind, String message, List<FieldError> fieldErrors, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.fieldErrors = List.copyOf(fieldErrors);
    }

    public Kind kind() {
        return kind;
    }

    /** Every field error found, in document order; empty for errors not tied to a field. */
    public List<FieldError> fieldErrors() {
        return fieldErrors;
    }

    public boolean retriable() {
        return kind.retriable();
    }

    public static EventException malformedJson(String detail, Throwable cause) {
        return new EventException(Kind.MALFORMED_JSON, "Malformed JSON: " + detail, List.of(), cause);
    }

    public static EventException schemaViolation(String schema, List<FieldError> errors) {
        String summary = errors.stream().map(FieldError::toString).collect(Collectors.joining("; "));
        return new EventException(Kind.SCHEMA_VIOLATION,
                "Payload does not match schema " + schema + ": " + summary, errors, null);
    }

    public static EventException invalidField(String field, String message) {
        String pointer = field.isEmpty() ? "" : "/" + field;
        return new EventException(Kind.INVALID_FIELD, field + " " + message,
                List.of(new FieldError(pointer, message, FieldError.RECORD_RULE)), null);
    }

    /** The same field error, re-rooted under {@code parentPointer} (for nested records). */
    public EventException under(String parentPointer) {
        List<FieldError> moved = fieldErrors.stream()
                .map(e -> new FieldError(parentPointer + e.pointer(), e.message(), e.rule()))
                .toList();
        return new EventException(kind, getMessage(), moved, this);
    }

    public static EventException unknownType(String type) {
        return new EventException(Kind.UNKNOWN_TYPE, "Unknown event type '" + type + "'", List.of(), null);
    }

    public static EventException invalidAttribute(String attribute, String message) {
        return new EventException(Kind.INVALID_ATTRIBUTE, "CloudEvent attribute '" + attribute + "' " + message,
                List.of(), null);
    }

    public static EventException rejected(Kind kind, String message) {
        return new EventException(kind, message, List.of(), null);
    }
}
