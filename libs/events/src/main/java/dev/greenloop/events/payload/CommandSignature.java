package dev.greenloop.events.payload;

import dev.greenloop.events.EventException;

import java.time.Instant;
import java.util.regex.Pattern;

/**
 * The signature block of a {@link ControlCommand}. Everything here except {@code value} is part
 * of the signed content; see {@code dev.greenloop.events.signing.CanonicalCommand}.
 *
 * @param algorithm always {@code HMAC-SHA256}
 * @param keyId     which greenhouse key signed it
 * @param issuedAt  when it was signed (millisecond precision)
 * @param expiresAt after this instant the command must not be executed
 * @param nonce     random, base64url; a verifier accepts each nonce once
 * @param value     the MAC, base64url without padding
 */
public record CommandSignature(String algorithm, String keyId, Instant issuedAt, Instant expiresAt,
                               String nonce, String value) {

    public static final String HMAC_SHA256 = "HMAC-SHA256";
    private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]{16,128}");

    public CommandSignature {
        if (!HMAC_SHA256.equals(algorithm)) {
            throw EventException.invalidField("algorithm", "must be " + HMAC_SHA256);
        }
        Checks.id("keyId", keyId);
        Checks.required("issuedAt", issuedAt);
        Checks.before("expiresAt", expiresAt, "issuedAt", issuedAt);
        if (nonce == null || !BASE64URL.matcher(nonce).matches()) {
            throw EventException.invalidField("nonce", "must be 16-128 base64url characters");
        }
        if (value == null || !BASE64URL.matcher(value).matches()) {
            throw EventException.invalidField("value", "must be 16-128 base64url characters");
        }
    }
}
