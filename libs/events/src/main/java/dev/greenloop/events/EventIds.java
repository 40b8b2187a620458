package dev.greenloop.events;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.UUID;

/**
 * Derived event and item ids, with no dependency on the rest of the contract (payload records
 * use them; {@link Events#derivedId} is the same function).
 */
public final class EventIds {

    private EventIds() {
    }

    /**
     * An id that is the same every time for the same parts, so that a redelivered input produces
     * the same output id and consumers can dedupe. A name-based UUID (RFC 4122 version 5 layout
     * over SHA-256 of the parts, joined with a separator that cannot occur in ids).
     */
    public static String derived(String... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : parts) {
                sha.update(Objects.requireNonNull(part, "id part").getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0x1f);
            }
            byte[] hash = sha.digest();
            hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
            hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
            long msb = 0;
            long lsb = 0;
            for (int i = 0; i < 8; i++) {
                msb = (msb << 8) | (hash[i] & 0xff);
                lsb = (lsb << 8) | (hash[i + 8] & 0xff);
            }
            return new UUID(msb, lsb).toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }
}
