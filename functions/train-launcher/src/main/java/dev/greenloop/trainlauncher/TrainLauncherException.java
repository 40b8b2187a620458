package dev.greenloop.trainlauncher;

import dev.greenloop.function.base.FunctionException;
import dev.greenloop.function.base.ProblemKind;

/** What can go wrong in train-launcher; the kind decides the status Knative sees. */
public final class TrainLauncherException extends FunctionException {

    public enum Kind implements ProblemKind {
        /** The event or request is not valid. */
        INVALID_REQUEST(400),
        /** The admin token is missing or wrong. */
        UNAUTHENTICATED(401),
        /** The dataset named does not exist. */
        UNKNOWN_DATASET(422),
        /** MLflow, MongoDB or the API server failed: retried. */
        DEPENDENCY_FAILED(503),
        /** Nothing to reply: a skipped request, a Job that has not finished. */
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

    public TrainLauncherException(Kind kind, String message) {
        super(kind, message, null);
    }

    public TrainLauncherException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }

    @Override
    public Kind kind() {
        return (Kind) super.kind();
    }
}
