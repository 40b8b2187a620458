package dev.greenloop.events.signing;

import dev.greenloop.events.EventException;
import dev.greenloop.events.EventException.Kind;
import dev.greenloop.events.payload.CommandSignature;
import dev.greenloop.events.payload.ControlCommand;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What an actuator gateway runs before it acts on a command. A command is accepted only if it
 * is signed with a key the gateway holds for the command's greenhouse, the MAC matches (compared
 * in constant time), it is not issued in the future or expired (beyond the allowed clock skew),
 * its lifetime is within the maximum, and its nonce has not been seen. The nonce is recorded
 * only after every other check passed, so a forged command cannot burn a genuine nonce.
 * Thread-safe if the {@link NonceStore} is.
 */
public final class CommandVerifier {

    private final KeyRing keys;
    private final NonceStore nonces;
    private final Clock clock;
    private final Duration clockSkew;
    private final Duration maxLifetime;

    public CommandVerifier(KeyRing keys, NonceStore nonces, Clock clock, Duration clockSkew, Duration maxLifetime) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.nonces = Objects.requireNonNull(nonces, "nonces");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.clockSkew = Objects.requireNonNull(clockSkew, "clockSkew");
        this.maxLifetime = Objects.requireNonNull(maxLifetime, "maxLifetime");
    }

    /** A verifier with 30 s of clock skew, a 1 h maximum lifetime and an in-memory nonce store. */
    public static CommandVerifier withDefaults(KeyRing keys, Clock clock) {
        return new CommandVerifier(keys, new InMemoryNonceStore(100_000), clock, Duration.ofSeconds(30),
                Duration.ofHours(1));
    }

    /**
     * Verifies {@code command} and consumes its nonce.
     *
     * @return the same command, verified
     * @throws EventException {@code UNSIGNED}, {@code UNKNOWN_KEY}, {@code BAD_SIGNATURE},
     *                        {@code NOT_YET_VALID}, {@code EXPIRED}, {@code REPLAYED} or
     *                        {@code NONCE_CAPACITY}
     */
    public ControlCommand verify(ControlCommand command) {
        return verify(command, null);
    }

    /**
     * {@link #verify(ControlCommand)} as one {@code attempt}: the id a gateway gives one receipt of
     * a command (a new one for every receipt, a copy read again after a restart included) and
     * keeps while it retries checking that receipt after a retriable failure
     * ({@code NONCE_STORE_UNAVAILABLE}). If the nonce store took the nonce while the gateway saw
     * the store fail, the retry is then accepted instead of refused as a replay; a second receipt
     * of the same command, with another attempt, is still a replay.
     */
    public ControlCommand verify(ControlCommand command, String attempt) {
        CommandSignature sig = command.signature();
        if (sig == null) {
            throw EventException.rejected(Kind.UNSIGNED, "command " + command.commandId() + " is not signed");
        }
        SigningKey key = keys.find(sig.keyId()).orElseThrow(() -> EventException.rejected(Kind.UNKNOWN_KEY,
                "command " + command.commandId() + " is signed with unknown key " + sig.keyId()));
        if (!key.greenhouseId().equals(command.greenhouseId())) {
            throw EventException.rejected(Kind.UNKNOWN_KEY, "key " + sig.keyId() + " does not sign for greenhouse "
                    + command.greenhouseId());
        }
        if (!CanonicalCommand.isMillisecondPrecision(sig.issuedAt())
                || !CanonicalCommand.isMillisecondPrecision(sig.expiresAt())) {
            throw EventException.rejected(Kind.BAD_SIGNATURE, "command " + command.commandId()
                    + " has timestamps finer than a millisecond, which are not part of the signed form");
        }
        byte[] expected = Hmac.mac(key, CanonicalCommand.bytes(command, sig));
        byte[] actual = decode(sig.value());
        if (actual == null || !MessageDigest.isEqual(expected, actual)) {
            throw EventException.rejected(Kind.BAD_SIGNATURE, "signature of command " + command.commandId()
                    + " does not match its content");
        }
        Instant now = clock.instant();
        if (sig.issuedAt().isAfter(now.plus(clockSkew))) {
            throw EventException.rejected(Kind.NOT_YET_VALID, "command " + command.commandId() + " is issued at "
                    + sig.issuedAt() + ", in the future (now " + now + ")");
        }
        if (now.isAfter(sig.expiresAt().plus(clockSkew))) {
            throw EventException.rejected(Kind.EXPIRED, "command " + command.commandId() + " expired at "
                    + sig.expiresAt() + " (now " + now + ")");
        }
        if (Duration.between(sig.issuedAt(), sig.expiresAt()).compareTo(maxLifetime) > 0) {
            throw EventException.rejected(Kind.EXPIRED, "command " + command.commandId()
                    + " is valid for longer than the maximum of " + maxLifetime);
        }
        if (!nonces.markUsed(sig.keyId(), sig.nonce(), attempt, sig.expiresAt().plus(clockSkew), now)) {
            throw EventException.rejected(Kind.REPLAYED, "command " + command.commandId() + " replays nonce "
                    + sig.nonce());
        }
        return command;
    }

    private static byte[] decode(String base64url) {
        try {
            return java.util.Base64.getUrlDecoder().decode(base64url.getBytes(StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
