package dev.greenloop.function.base;

import dev.greenloop.events.FieldError;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Path;
import jakarta.validation.Validator;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Checks a request body bound to a record against the record's Bean Validation constraints
 * ({@code @NotNull}, {@code @Pattern}, {@code @Size}...): every violation becomes a field error
 * with its JSON pointer, and the request a problem of the caller's kind (400 or 422). The body
 * is read strictly first (no unknown fields, no coercion), so a violation is about a value.
 */
public final class BodyValidation {

    /** The id rule of the contract (greenhouses, zones, devices, datasets, keys), for {@code @Pattern}. */
    public static final String ID = "[A-Za-z0-9][A-Za-z0-9._:-]{0,127}";
    public static final String ID_MESSAGE = "must be 1 to 128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit";

    private BodyValidation() {
    }

    /** A body that broke constraints: the kind the caller chose, every field error, the first in the detail. */
    public static final class InvalidBodyException extends FunctionException {
        InvalidBodyException(ProblemKind kind, String message, List<FieldError> errors) {
            super(kind, message, errors, null, null);
        }

        @Override
        @SuppressWarnings("unchecked")
        public List<FieldError> errors() {
            return (List<FieldError>) super.errors();
        }
    }

    /**
     * {@code body} when it satisfies its constraints; otherwise an {@link InvalidBodyException} of
     * {@code kind} whose detail starts with {@code what} ("an acknowledgement needs ...").
     */
    public static <T> T check(Validator validator, T body, ProblemKind kind, String what) {
        return check(validator, body, kind, what, List.of());
    }

    /**
     * As {@link #check(Validator, Object, ProblemKind, String)}, with {@code more} errors found by
     * hand (on fields whose type the constraints cannot annotate), reported together.
     */
    public static <T> T check(Validator validator, T body, ProblemKind kind, String what, List<FieldError> more) {
        if (body == null) {
            throw new InvalidBodyException(kind, what + ": the body is JSON null", List.of());
        }
        List<FieldError> errors = Stream.concat(validator.validate(body).stream()
                        .map(BodyValidation::fieldError), more.stream())
                .sorted(Comparator.comparing(FieldError::pointer).thenComparing(FieldError::message))
                .toList();
        if (errors.isEmpty()) {
            return body;
        }
        throw new InvalidBodyException(kind, what + ": " + errors.stream().map(e -> e.pointer() + " " + e.message())
                .collect(Collectors.joining("; ")), errors);
    }

    static FieldError fieldError(ConstraintViolation<?> violation) {
        return new FieldError(pointer(violation.getPropertyPath()), violation.getMessage(),
                rule(violation.getConstraintDescriptor().getAnnotation().annotationType().getSimpleName()));
    }

    /** {@code zones[1].<list element>} as {@code /zones/1}. */
    static String pointer(Path path) {
        StringBuilder pointer = new StringBuilder();
        for (Path.Node node : path) {
            if (node.isInIterable() && node.getIndex() != null) {
                pointer.append('/').append(node.getIndex());
            } else if (node.isInIterable() && node.getKey() != null) {
                pointer.append('/').append(node.getKey());
            }
            if (node.getName() != null && !node.getName().startsWith("<")) {
                pointer.append('/').append(node.getName());
            }
        }
        return pointer.toString();
    }

    /** The JSON Schema keyword closest to a constraint, as the contract's field errors name rules. */
    static String rule(String constraint) {
        return switch (constraint) {
            case "NotNull", "NotBlank", "NotEmpty" -> "required";
            case "Pattern" -> "pattern";
            case "Size" -> "size";
            case "Min", "DecimalMin", "Positive", "PositiveOrZero" -> "minimum";
            case "Max", "DecimalMax", "Negative", "NegativeOrZero" -> "maximum";
            default -> Character.toLowerCase(constraint.charAt(0)) + constraint.substring(1);
        };
    }
}
