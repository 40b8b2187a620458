package dev.greenloop.events.signing;

import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A greenhouse's HMAC key. The secret never appears in {@link #toString()}.
 */
public final class SigningKey {

    /** HMAC-SHA256 keys shorter than the hash output weaken it. */
    public static final int MIN_SECRET_BYTES = 32;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    private final String keyId;
    private final String greenhouseId;
    private final byte[] secret;

    public SigningKey(String keyId, String greenhouseId, byte[] secret) {
        if (keyId == null || !ID.matcher(keyId).matches()) {
            throw new IllegalArgumentException("key id '" + keyId + "' is not a valid id");
        }
        if (greenhouseId == null || !ID.matcher(greenhouseId).matches()) {
            throw new IllegalArgumentException("greenhouse id '" + greenhouseId + "' of key " + keyId + " is not a valid id");
        }
        Objects.requireNonNull(secret, "secret");
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("key " + keyId + " has a " + secret.length
                    + "-byte secret; at least " + MIN_SECRET_BYTES + " bytes are required");
        }
        this.keyId = keyId;
        this.greenhouseId = greenhouseId;
        this.secret = secret.clone();
    }

    public String keyId() {
        return keyId;
    }

    /** The only greenhouse whose commands this key may sign. */
    public String greenhouseId() {
        return greenhouseId;
    }

    byte[] secret() {
        return secret.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SigningKey other && keyId.equals(other.keyId)
                && greenhouseId.equals(other.greenhouseId) && Arrays.equals(secret, other.secret);
    }

    @Override
    public int hashCode() {
        return keyId.hashCode();
    }

    @Override
    public String toString() {
        return "SigningKey[" + keyId + " for " + greenhouseId + "]";
    }
}
