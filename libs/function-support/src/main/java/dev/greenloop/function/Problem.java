package dev.greenloop.function;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.greenloop.events.FieldError;

import java.util.List;

/** An RFC 9457 problem detail ({@code application/problem+json}), as the functions' HTTP APIs answer errors. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance, List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(String type, int status, String detail, String instance, List<FieldError> errors) {
        return new Problem("https://greenloop.dev/problems/" + type, type, status, detail, instance,
                errors == null || errors.isEmpty() ? null : errors);
    }
}
