package dev.greenloop.preprocess;

import dev.greenloop.function.base.FunctionException;
import dev.greenloop.function.base.HttpStatus;
import dev.greenloop.function.base.ProblemKind;

/**
 * What can go wrong in preprocess. The kind decides the HTTP status Knative sees: retriable
 * kinds answer 5xx, so the event is redelivered; an invalid event answers 4xx, so it goes to the
 * dead-letter sink with the reason in the response body.
 */
public final class PreprocessException extends FunctionException {

    public enum Kind implements ProblemKind {
        /** The event is not a valid readings batch (or not the type this function takes). */
        @HttpStatus(400) INVALID_EVENT,
        /** The Broker (K_SINK) did not take the feature windows after every retry. */
        @HttpStatus(503) SINK_UNAVAILABLE,
        /** MongoDB did not answer. */
        @HttpStatus(503) STORE_UNAVAILABLE,
        /** Kafka or HDFS failed during an archive run. */
        @HttpStatus(503) ARCHIVE_FAILED,
        /** Taken, to be done in the background (an archive ping): answered 202 without a body. */
        @HttpStatus(202) ACCEPTED;
    }

    public PreprocessException(Kind kind, String message) {
        super(kind, message, null);
    }

    public PreprocessException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }
}
