package dev.greenloop.testkit;

/**
 * A service of the test kit could not be provided. The message says which service, what went
 * wrong and where its log is; the {@link Kind} says whether trying again can help.
 */
public final class TestkitException extends RuntimeException {

    public enum Kind {
        /** The service process exited or reported an error while starting. */
        START_FAILED(false),
        /** The service did not become ready in time (a slow or overloaded machine). */
        START_TIMEOUT(true),
        /** Installing what the service needs (the Python environment) failed. */
        INSTALL_FAILED(false),
        /** A package registry could not be reached while installing. */
        REGISTRY_UNREACHABLE(true),
        /** The kit itself is incomplete (its server class path is missing or stale). */
        KIT_BROKEN(false);

        private final boolean retriable;

        Kind(boolean retriable) {
            this.retriable = retriable;
        }

        public boolean retriable() {
            return retriable;
        }
    }

    private final Kind kind;

    public TestkitException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public TestkitException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
