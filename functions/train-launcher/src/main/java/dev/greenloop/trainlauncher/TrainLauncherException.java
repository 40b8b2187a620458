package dev.greenloop.trainlauncher;

import dev.greenloop.function.base.FunctionException;
import dev.greenloop.function.base.HttpStatus;
import dev.greenloop.function.base.ProblemKind;

/** What can go wrong in train-launcher; the kind decides the status Knative sees. */
public final class TrainLauncherException extends FunctionException {

    public enum Kind implements ProblemKind {
        /** The event or request is not valid. */
        @HttpStatus(400) INVALID_REQUEST,
        /** The admin token is missing or wrong. */
        @HttpStatus(401) UNAUTHENTICATED,
        /** The dataset named does not exist. */
        @HttpStatus(422) UNKNOWN_DATASET,
        /** MLflow, MongoDB or the API server failed: retried. */
        @HttpStatus(503) DEPENDENCY_FAILED,
        /** Nothing to reply: a skipped request, a Job that has not finished. */
        @HttpStatus(204) NO_REPLY;
    }

    public TrainLauncherException(Kind kind, String message) {
        super(kind, message, null);
    }

    public TrainLauncherException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }
}
