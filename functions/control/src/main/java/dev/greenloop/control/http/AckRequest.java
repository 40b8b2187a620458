package dev.greenloop.control.http;

import dev.greenloop.function.base.BodyValidation;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;

/**
 * A gateway's acknowledgement of a command. {@code signature} is the HMAC-SHA256 (base64url, no
 * padding) with the greenhouse key {@code keyId} over
 * {@code greenloop-ack-v1\n<commandId>\n<status>\n<ackedAt epoch millis>\n<keyId>}
 * ({@code dev.greenloop.events.signing.AckSignature}).
 */
@Schema(description = "A gateway's signed acknowledgement of a command")
public record AckRequest(
        @Schema(description = "What the gateway did", enumeration = {"applied", "rejected", "failed"}, required = true)
        @NotNull(message = "is required") @Pattern(regexp = "applied|rejected|failed",
                message = "must be one of applied, rejected, failed") String status,
        @Schema(description = "When, by the gateway's clock (RFC 3339)", required = true)
        @NotNull(message = "is required") Instant ackedAt,
        @Schema(description = "The greenhouse key that signed", required = true)
        @NotNull(message = "is required") @Pattern(regexp = BodyValidation.ID, message = BodyValidation.ID_MESSAGE) String keyId,
        @Schema(description = "HMAC-SHA256, base64url without padding", required = true)
        @NotNull(message = "is required") @Pattern(regexp = "[A-Za-z0-9_-]{16,128}",
                message = "must be 16 to 128 base64url characters without padding") String signature) {
}
