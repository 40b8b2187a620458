package dev.greenloop.preprocess;

import dev.greenloop.function.base.FunctionException;
import dev.greenloop.function.base.ProblemKind;

/**
 * What can go wrong in preprocess. The kind decides the HTTP status Knative sees: retriable
 * kinds answer 5xx, so the event is redelivered; an invalid event answers 4xx, so it goes to the
 * dead-letter sink with the reason in the response body.
 */
public final class PreprocessException extends FunctionException {

    public enum Kind implements ProblemKind {
        /** The event is not a valid readings batch (or not the type this function takes). */
        INVALID_EVENT(400),
        /** The Broker (K_SINK) did not take the feature windows after every retry. */
        SINK_UNAVAILABLE(503),
        /** MongoDB did not answer. */
        STORE_UNAVAILABLE(503),
        /** Kafka or HDFS failed during an archive run. */
        ARCHIVE_FAILED(503),
        /** Nothing to reply (a ping for a greenhouse without features): answered 204. */
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

    public PreprocessException(Kind kind, String message) {
        super(kind, message, null);
    }

    public PreprocessException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }

    @Override
    public Kind kind() {
        return (Kind) super.kind();
    }
}
