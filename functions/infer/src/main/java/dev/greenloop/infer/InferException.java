package dev.greenloop.infer;

import dev.greenloop.events.FieldError;
import dev.greenloop.function.ProblemException;

import java.util.List;

/** A failure infer answers with a problem: its kind gives the HTTP status. */
public class InferException extends RuntimeException implements ProblemException {

    public enum Kind {
        /** Malformed request or event. */
        INVALID_REQUEST(400, "invalid-request"),
        /** Well-formed but not what the model takes (length, values, spec version). */
        INVALID_FEATURES(422, "invalid-features"),
        BATCH_TOO_LARGE(413, "batch-too-large"),
        /** No champion model for the greenhouse: callers fall back. */
        NO_MODEL(503, "no-model"),
        /** The model was swapped between lookup and use: retry at once. */
        MODEL_SWAPPING(503, "model-swapping"),
        /** MLflow failed while a model was needed. */
        REGISTRY_UNAVAILABLE(503, "registry-unavailable"),
        /** Nothing to reply (an event this function ignores). */
        NO_REPLY(204, "no-reply");

        private final int status;
        private final String type;

        Kind(int status, String type) {
            this.status = status;
            this.type = type;
        }
    }

    private final Kind kind;
    private final List<FieldError> errors;

    public InferException(Kind kind, String message) {
        this(kind, message, List.of(), null);
    }

    public InferException(Kind kind, String message, Throwable cause) {
        this(kind, message, List.of(), cause);
    }

    public InferException(Kind kind, String message, List<FieldError> errors, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.errors = List.copyOf(errors);
    }

    public Kind kind() {
        return kind;
    }

    public List<FieldError> errors() {
        return errors;
    }

    @Override
    public int status() {
        return kind.status;
    }

    @Override
    public String problemType() {
        return kind.type;
    }
}
