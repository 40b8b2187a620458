package dev.greenloop.function.base;

import java.util.List;

/**
 * The one exception base of the functions: a {@link ProblemKind} (the HTTP status and problem
 * type), a message for the person who sent the request or event, and optionally the offending
 * items or fields and a retry hint. {@link ProblemMapper} answers it on the HTTP APIs,
 * {@code FailureResponses} (function-support) on CloudEvents deliveries. Modules subclass it with their own kinds.
 */
public abstract class FunctionException extends RuntimeException {

    /** Seconds a client waits before retrying a 503 that names no other wait. */
    public static final int DEFAULT_RETRY_AFTER_SECONDS = 10;

    private final ProblemKind kind;
    private final transient List<?> errors;
    private final Integer retryAfterSeconds;

    protected FunctionException(ProblemKind kind, String message, Throwable cause) {
        this(kind, message, List.of(), null, cause);
    }

    /**
     * @param errors            the offending items or fields (a module documents their shape), or empty
     * @param retryAfterSeconds what the client should wait, or {@code null} for the default of a 503
     */
    protected FunctionException(ProblemKind kind, String message, List<?> errors, Integer retryAfterSeconds,
                                Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.errors = List.copyOf(errors);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public ProblemKind kind() {
        return kind;
    }

    public int status() {
        return kind.status();
    }

    public String problemType() {
        return kind.problemType();
    }

    public List<?> errors() {
        return errors;
    }

    /** The Retry-After of the answer: the one given, else {@value #DEFAULT_RETRY_AFTER_SECONDS} for a 503, else none. */
    public Integer retryAfterSeconds() {
        if (retryAfterSeconds != null) {
            return retryAfterSeconds;
        }
        return status() == 503 ? DEFAULT_RETRY_AFTER_SECONDS : null;
    }
}
