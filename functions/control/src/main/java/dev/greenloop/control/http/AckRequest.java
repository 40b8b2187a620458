package dev.greenloop.control.http;

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
        String status,
        @Schema(description = "When, by the gateway's clock (RFC 3339)", required = true) Instant ackedAt,
        @Schema(description = "The greenhouse key that signed", required = true) String keyId,
        @Schema(description = "HMAC-SHA256, base64url without padding", required = true) String signature) {
}
