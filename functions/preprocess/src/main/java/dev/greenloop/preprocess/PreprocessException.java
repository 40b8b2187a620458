package dev.greenloop.preprocess;

/**
 * What can go wrong in preprocess. The kind decides the HTTP status Knative sees: retriable
 * kinds answer 5xx, so the event is redelivered; an invalid event answers 4xx, so it goes to the
 * dead-letter sink with the reason in the response body.
 */
public final class PreprocessException extends RuntimeException implements dev.greenloop.function.ProblemException {

    public enum Kind {
        /** The event is not a valid readings batch (or not the type this function takes). */
        INVALID_EVENT(400, false),
        /** The Broker (K_SINK) did not take the feature windows after every retry. */
        SINK_UNAVAILABLE(503, true),
        /** MongoDB did not answer. */
        STORE_UNAVAILABLE(503, true),
        /** Kafka or HDFS failed during an archive run. */
        ARCHIVE_FAILED(503, true),
        /** Nothing to reply (a ping for a greenhouse without features): answered 204. */
        NO_REPLY(204, false);

        private final int status;
        private final boolean retriable;

        Kind(int status, boolean retriable) {
            this.status = status;
            this.retriable = retriable;
        }

        public int status() {
            return status;
        }

        public boolean retriable() {
            return retriable;
        }
    }

    private final Kind kind;

    public PreprocessException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public PreprocessException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public int status() {
        return kind.status();
    }

    @Override
    public String problemType() {
        return kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
