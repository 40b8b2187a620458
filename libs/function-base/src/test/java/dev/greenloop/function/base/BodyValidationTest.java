package dev.greenloop.function.base;

import dev.greenloop.events.FieldError;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Bean Validation violations of a request record as field errors with JSON pointers, against Hibernate Validator. */
class BodyValidationTest {

    record Registration(
            @NotNull @Pattern(regexp = "[a-z][a-z0-9-]{0,31}", message = "must be a lower-case id") String deviceId,
            @NotEmpty List<@NotNull @Pattern(regexp = "zone-[a-z]", message = "must be zone-a to zone-z") String> zones,
            @Size(max = 10) String note) {
    }

    private static ValidatorFactory factory;
    private static Validator validator;

    @BeforeAll
    static void start() {
        factory = Validation.buildDefaultValidatorFactory();
        validator = factory.getValidator();
    }

    @AfterAll
    static void stop() {
        factory.close();
    }

    @Test
    void aValidBodyIsReturnedAsItIs() {
        Registration ok = new Registration("climate-1", List.of("zone-a"), null);
        assertThat(BodyValidation.check(validator, ok, ProblemKind.of(422, "unprocessable"), "a registration")).isSameAs(ok);
    }

    @Test
    void everyViolationIsAFieldErrorWithItsPointerAndTheFirstIsInTheDetail() {
        BodyValidation.InvalidBodyException e = catchThrowableOfType(BodyValidation.InvalidBodyException.class,
                () -> BodyValidation.check(validator, new Registration("Climate/1", List.of("zone-a", "zone-9"), "x".repeat(11)),
                        ProblemKind.of(422, "unprocessable"), "a registration needs valid ids"));

        assertThat(e.status()).isEqualTo(422);
        assertThat(e.errors()).containsExactly(
                new FieldError("/deviceId", "must be a lower-case id", "pattern"),
                new FieldError("/note", "size must be between 0 and 10", "size"),
                new FieldError("/zones/1", "must be zone-a to zone-z", "pattern"));
        assertThat(e.getMessage()).startsWith("a registration needs valid ids: /deviceId must be a lower-case id; ");
    }

    @Test
    void aMissingFieldIsRequired() {
        BodyValidation.InvalidBodyException e = catchThrowableOfType(BodyValidation.InvalidBodyException.class,
                () -> BodyValidation.check(validator, new Registration(null, List.of(), null), ProblemKind.of(400, "invalid-request"),
                        "a registration"));
        assertThat(e.errors()).extracting(f -> f.pointer() + " " + f.rule())
                .containsExactly("/deviceId required", "/zones required");
    }
}
