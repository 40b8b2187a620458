package dev.greenloop.function.base;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** The HTTP status of a {@link ProblemKind} enum constant: {@code @HttpStatus(503) STORE_UNAVAILABLE}. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface HttpStatus {
    int value();
}
