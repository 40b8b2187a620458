package dev.greenloop.control;

import dev.greenloop.function.base.FunctionException;
import dev.greenloop.function.base.ProblemKind;

/** A failure control answers with a problem: its kind gives the HTTP status. */
public class ControlException extends FunctionException {

    public enum Kind implements ProblemKind {
        INVALID_REQUEST(400, "invalid-request"),
        UNAUTHENTICATED(401, "unauthenticated"),
        BAD_SIGNATURE(403, "bad-signature"),
        /** The operator endpoints are switched off (no operator token configured). */
        FORBIDDEN(403, "forbidden"),
        NOT_FOUND(404, "not-found"),
        /** The zone's settings in MongoDB are invalid, or the greenhouse has no signing key: not worth retrying. */
        MISCONFIGURED(422, "misconfigured"),
        /** MongoDB or Kafka failed: retried. */
        DEPENDENCY_FAILED(503, "dependency-failed"),
        /** The zone's state kept changing under the decision (other decisions won every compare-and-set): retried. */
        CONFLICT(503, "decision-conflict");

        private final int status;
        private final String type;

        Kind(int status, String type) {
            this.status = status;
            this.type = type;
        }

        @Override
        public int status() {
            return status;
        }

        @Override
        public String problemType() {
            return type;
        }
    }

    public ControlException(Kind kind, String message) {
        this(kind, message, null);
    }

    public ControlException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }

    @Override
    public Kind kind() {
        return (Kind) super.kind();
    }
}
