package dev.greenloop.function.base;

import java.util.Locale;

/**
 * What kind of failure a {@link FunctionException} is: its HTTP status (Knative retries 5xx and
 * 429, sends other 4xx to the dead-letter sink; 204 means "nothing to reply") and its problem
 * type. Each module's {@code Kind} enum implements this and gives each constant its status with
 * {@link HttpStatus}; the problem type is the constant's name in kebab case.
 */
public interface ProblemKind {

    String name();

    /** The status of an enum constant, from its {@link HttpStatus}. */
    default int status() {
        return KindStatuses.of(this);
    }

    /** Short kebab-case name of the problem, e.g. {@code sink-unavailable}; by default the kind's name. */
    default String problemType() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** A short human title of the problem; by default its type. */
    default String title() {
        return problemType();
    }

    /** Whether trying again can help: Knative redelivers 5xx and 429, the rest go to the dead-letter sink. */
    default boolean retriable() {
        return status() >= 500 || status() == 429;
    }

    /** A kind for one place, not a module's enum. */
    static ProblemKind of(int status, String problemType) {
        return new Simple(problemType, status);
    }

    record Simple(String name, int status) implements ProblemKind {
        @Override
        public String problemType() {
            return name;
        }
    }
}
