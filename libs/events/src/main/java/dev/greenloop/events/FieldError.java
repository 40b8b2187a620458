package dev.greenloop.events;

import java.util.Objects;

/**
 * One problem with one field of a payload.
 *
 * @param pointer RFC 6901 JSON pointer to the offending field ({@code ""} for the whole document)
 * @param message what is wrong, in words meant for the person who sent the data
 */
public record FieldError(String pointer, String message) {

    public FieldError {
        Objects.requireNonNull(pointer, "pointer");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return (pointer.isEmpty() ? "(document)" : pointer) + ": " + message;
    }
}
