package dev.greenloop.trainlauncher;

import dev.greenloop.function.ProblemException;

import java.util.Locale;

/** What can go wrong in train-launcher; the kind decides the status Knative sees. */
public final class TrainLauncherException extends RuntimeException implements ProblemException {

    public enum Kind {
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
    }

    private final Kind kind;

    public TrainLauncherException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public TrainLauncherException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public int status() {
        return kind.status;
    }

    @Override
    public String problemType() {
        return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
