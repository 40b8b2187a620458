package dev.greenloop.infer;

import dev.greenloop.events.FieldError;
import dev.greenloop.function.base.FunctionException;
import dev.greenloop.function.base.HttpStatus;
import dev.greenloop.function.base.ProblemKind;

import java.util.List;

/** A failure infer answers with a problem: its kind gives the HTTP status. */
public class InferException extends FunctionException {

    public enum Kind implements ProblemKind {
        /** Malformed request or event. */
        @HttpStatus(400) INVALID_REQUEST,
        /** Well-formed but not what the model takes (length, values, spec version). */
        @HttpStatus(422) INVALID_FEATURES,
        @HttpStatus(413) BATCH_TOO_LARGE,
        /** No champion model for the greenhouse: callers fall back. */
        @HttpStatus(503) NO_MODEL,
        /** The model was swapped between lookup and use: retry at once. */
        @HttpStatus(503) MODEL_SWAPPING,
        /** MLflow failed while a model was needed. */
        @HttpStatus(503) REGISTRY_UNAVAILABLE,
        /** Nothing to reply (an event this function ignores). */
        @HttpStatus(204) NO_REPLY;
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
    @SuppressWarnings("unchecked")
    public List<FieldError> errors() {
        return (List<FieldError>) super.errors();
    }
}
