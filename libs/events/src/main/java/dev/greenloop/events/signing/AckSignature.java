package dev.greenloop.events.signing;

import dev.greenloop.events.EventException;
import dev.greenloop.events.EventException.Kind;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * A gateway's acknowledgement of a command, signed with the same greenhouse key as the command:
 * HMAC-SHA256 over {@code greenloop-ack-v1\n<commandId>\n<status>\n<ackedAt epoch millis>\n<keyId>},
 * base64url without padding. control accepts an acknowledgement only with a valid MAC from the
 * command's greenhouse key and an {@code ackedAt} within the allowed skew of its clock, so an old
 * acknowledgement cannot be replayed later for another purpose (and recording one twice is
 * harmless).
 */
public final class AckSignature {

    private AckSignature() {
    }

    static byte[] canonical(String commandId, String status, Instant ackedAt, String keyId) {
        return ("greenloop-ack-v1\n" + commandId + "\n" + status + "\n" + ackedAt.toEpochMilli() + "\n" + keyId)
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The MAC a gateway sends with its acknowledgement. */
    public static String sign(SigningKey key, String commandId, String status, Instant ackedAt) {
        return Hmac.sign(key, canonical(commandId, status, ackedAt, key.keyId()));
    }

    /**
     * Checks an acknowledgement of a command of {@code greenhouseId}.
     *
     * @throws EventException {@code UNKNOWN_KEY}, {@code BAD_SIGNATURE}, {@code NOT_YET_VALID} or {@code EXPIRED}
     */
    public static void verify(KeyRing keys, String greenhouseId, String keyId, String commandId, String status,
                              Instant ackedAt, String mac, Clock clock, Duration skew) {
        SigningKey key = keys.find(keyId).filter(k -> k.greenhouseId().equals(greenhouseId))
                .orElseThrow(() -> EventException.rejected(Kind.UNKNOWN_KEY, "key " + keyId
                        + " does not sign for greenhouse " + greenhouseId));
        Instant now = clock.instant();
        // The time first: a date millions of years away has no epoch milliseconds to sign.
        if (ackedAt.isAfter(now.plus(skew))) {
            throw EventException.rejected(Kind.NOT_YET_VALID, "the acknowledgement of " + commandId + " is dated "
                    + ackedAt + ", in the future");
        }
        if (ackedAt.isBefore(now.minus(skew))) {
            throw EventException.rejected(Kind.EXPIRED, "the acknowledgement of " + commandId + " is dated " + ackedAt
                    + ", more than " + skew.toSeconds() + " s ago");
        }
        byte[] actual;
        try {
            actual = Base64.getUrlDecoder().decode(mac == null ? "" : mac);
        } catch (IllegalArgumentException e) {
            throw EventException.rejected(Kind.BAD_SIGNATURE, "the acknowledgement's MAC is not base64url");
        }
        byte[] expected = Hmac.mac(key, canonical(commandId, status, ackedAt, keyId));
        if (!MessageDigest.isEqual(expected, actual)) {
            throw EventException.rejected(Kind.BAD_SIGNATURE, "the acknowledgement of " + commandId
                    + " does not carry a valid signature");
        }
    }
}
