package dev.greenloop.infer;

import dev.greenloop.events.FieldError;
import dev.greenloop.function.base.FunctionException;
import dev.greenloop.function.base.ProblemKind;

import java.util.List;

/** A failure infer answers with a problem: its kind gives the HTTP status. */
public class InferException extends FunctionException {

    public enum Kind implements ProblemKind {
        /** Malformed request or event. */
        INVALID_REQUEST(400),
        /** Well-formed but not what the model takes (length, values, spec version). */
        INVALID_FEATURES(422),
        BATCH_TOO_LARGE(413),
        /** No champion model for the greenhouse: callers fall back. */
        NO_MODEL(503),
        /** The model was swapped between lookup and use: retry at once. */
        MODEL_SWAPPING(503),
        /** MLflow failed while a model was needed. */
        REGISTRY_UNAVAILABLE(503),
        /** Nothing to reply (an event this function ignores). */
        NO_REPLY(204);

        private final int status;

        Kind(int status) {
            this.status = status;
        }

        @Override
        public int status() {
            return status;
        }
    }

    public InferException(Kind kind, String message) {
        this(kind, message, List.of(), null);
    }

    public InferException(Kind kind, String message, Throwable cause) {
        this(kind, message, List.of(), cause);
    }

    public InferException(Kind kind, String message, List<FieldError> errors, Throwable cause) {
        super(kind, message, errors, null, cause);
    }

    @Override
    public Kind kind() {
        return (Kind) super.kind();
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<FieldError> errors() {
        return (List<FieldError>) super.errors();
    }
}
