package dev.greenloop.ingest;

import dev.greenloop.events.FieldError;
import dev.greenloop.function.base.FunctionException;
import dev.greenloop.function.base.HttpStatus;
import dev.greenloop.function.base.ProblemKind;

import java.util.List;

/**
 * Every way a request to ingest can fail. The {@link Kind} fixes the HTTP status and whether the
 * client should retry; {@link #errors()} lists the offending items or fields.
 */
public final class IngestException extends FunctionException {

    public enum Kind implements ProblemKind {
        @HttpStatus(400) MALFORMED("Malformed request"),
        @HttpStatus(401) UNAUTHENTICATED("Missing or invalid device token"),
        @HttpStatus(403) FORBIDDEN("Not allowed for this device"),
        @HttpStatus(404) NOT_FOUND("Not found"),
        @HttpStatus(413) TOO_LARGE("Request too large"),
        @HttpStatus(415) UNSUPPORTED_MEDIA_TYPE("Unsupported content type"),
        @HttpStatus(422) UNPROCESSABLE("Invalid readings"),
        @HttpStatus(429) RATE_LIMITED("Too many readings from this device"),
        @HttpStatus(503) OVERLOADED("Ingest is overloaded"),
        @HttpStatus(503) KAFKA_UNAVAILABLE("Kafka did not acknowledge the readings");

        private final String title;

        Kind(String title) {
            this.title = title;
        }

        @Override
        public String title() {
            return title;
        }
    }

    private IngestException(Kind kind, String detail, List<ItemError> errors, Integer retryAfterSeconds, Throwable cause) {
        super(kind, detail, errors, retryAfterSeconds, cause);
    }

    @Override
    public Kind kind() {
        return (Kind) super.kind();
    }

    /** Every rejected item or field. */
    @Override
    @SuppressWarnings("unchecked")
    public List<ItemError> errors() {
        return (List<ItemError>) super.errors();
    }

    public static IngestException of(Kind kind, String detail) {
        return new IngestException(kind, detail, List.of(), null, null);
    }

    public static IngestException invalid(Kind kind, String detail, List<ItemError> errors) {
        return new IngestException(kind, detail, errors, null, null);
    }

    public static IngestException retryLater(Kind kind, String detail, int retryAfterSeconds, Throwable cause) {
        return new IngestException(kind, detail, List.of(), retryAfterSeconds, cause);
    }

    /**
     * One rejected item or field.
     *
     * @param pointer JSON pointer into the request body
     * @param index   index of the reading or actuator state, or {@code null} for a batch-level error
     * @param code    the broken rule, for machines and metrics: a JSON Schema keyword, or
     *                {@code unit}, {@code timestamp}, {@code range}, {@code conflict}, {@code record}
     * @param reason  why, in words for the person who sent it
     */
    public record ItemError(String pointer, Integer index, String code, String reason) {

        public static ItemError of(FieldError error) {
            return new ItemError(error.pointer(), indexOf(error.pointer()), error.rule(), error.message());
        }

        public static ItemError of(String pointer, String code, String reason) {
            return new ItemError(pointer, indexOf(pointer), code, reason);
        }

        /** The item index of {@code /readings/3/value} or {@code /actuators/0}, else null. */
        public static Integer indexOf(String pointer) {
            String[] parts = pointer.split("/");
            if (parts.length >= 3 && (parts[1].equals("readings") || parts[1].equals("actuators"))) {
                try {
                    return Integer.parseInt(parts[2]);
                } catch (NumberFormatException e) {
                    return null;
                }
            }
            return null;
        }
    }
}
