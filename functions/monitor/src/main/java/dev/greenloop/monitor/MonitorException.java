package dev.greenloop.monitor;

import dev.greenloop.function.base.FunctionException;
import dev.greenloop.function.base.HttpStatus;
import dev.greenloop.function.base.ProblemKind;

/** What can go wrong in monitor; the kind decides the status Knative or the caller sees. */
public final class MonitorException extends FunctionException {

    public enum Kind implements ProblemKind {
        /** The event or request is not valid. */
        @HttpStatus(400) INVALID_REQUEST,
        /** The operator token is missing or wrong. */
        @HttpStatus(401) UNAUTHENTICATED,
        /** The read API is off (no operator token configured). */
        @HttpStatus(403) FORBIDDEN,
        /** A dead letter (or the dead-letter topic) that is not there. */
        @HttpStatus(404) NOT_FOUND,
        /** The Broker did not take a replayed dead letter: the replay stopped there. */
        @HttpStatus(502) REPLAY_STOPPED,
        /** MongoDB or MLflow failed: retried. */
        @HttpStatus(503) DEPENDENCY_FAILED,
        /** Nothing to reply: a check that found no decay. */
        @HttpStatus(204) NO_REPLY
    }

    public MonitorException(Kind kind, String message) {
        super(kind, message, null);
    }

    public MonitorException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }

    /** With the items the problem is about ({@code errors} of the answer). */
    public MonitorException(Kind kind, String message, java.util.List<?> errors) {
        super(kind, message, errors, null, null);
    }
}
