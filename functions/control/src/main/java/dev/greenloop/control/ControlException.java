package dev.greenloop.control;

import dev.greenloop.function.base.FunctionException;
import dev.greenloop.function.base.HttpStatus;
import dev.greenloop.function.base.ProblemKind;

/** A failure control answers with a problem: its kind gives the HTTP status. */
public class ControlException extends FunctionException {

    public enum Kind implements ProblemKind {
        @HttpStatus(400) INVALID_REQUEST,
        @HttpStatus(401) UNAUTHENTICATED,
        @HttpStatus(403) BAD_SIGNATURE,
        /** The operator endpoints are switched off (no operator token configured). */
        @HttpStatus(403) FORBIDDEN,
        @HttpStatus(404) NOT_FOUND,
        /** The zone's settings in MongoDB are invalid, or the greenhouse has no signing key: not worth retrying. */
        @HttpStatus(422) MISCONFIGURED,
        /** MongoDB or Kafka failed: retried. */
        @HttpStatus(503) DEPENDENCY_FAILED,
        /** The zone's state kept changing under the decision (other decisions won every compare-and-set): retried. */
        @HttpStatus(503) DECISION_CONFLICT;
    }

    public ControlException(Kind kind, String message) {
        this(kind, message, null);
    }

    public ControlException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }
}
