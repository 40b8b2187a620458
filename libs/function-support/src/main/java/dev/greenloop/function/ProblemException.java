package dev.greenloop.function;

/**
 * An exception a function answers with a problem: its HTTP status (Knative retries 5xx and 429,
 * sends 4xx to the dead-letter sink) and a short type name. Each module's exception implements
 * this for its kinds; status 204 means "nothing to reply".
 */
public interface ProblemException {

    int status();

    /** Short kebab-case name of the problem, e.g. {@code sink-unavailable}. */
    String problemType();

    String getMessage();
}
