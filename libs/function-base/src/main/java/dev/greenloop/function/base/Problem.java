package dev.greenloop.function.base;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * An RFC 9457 problem detail ({@code application/problem+json}), as every function answers errors
 * on its HTTP API and on refused CloudEvents deliveries.
 *
 * @param errors the offending fields ({@code FieldError}s) or items (ingest's {@code ItemError}s), each with its JSON pointer
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance, List<?> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** A problem titled by its type. */
    public static Problem of(String type, int status, String detail, String instance, List<?> errors) {
        return of(type, type, status, detail, instance, errors);
    }

    public static Problem of(String type, String title, int status, String detail, String instance, List<?> errors) {
        return new Problem("https://greenloop.dev/problems/" + type, title, status, detail, instance,
                errors == null || errors.isEmpty() ? null : List.copyOf(errors));
    }
}
