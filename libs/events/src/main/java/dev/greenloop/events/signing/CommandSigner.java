package dev.greenloop.events.signing;

import dev.greenloop.events.payload.CommandSignature;
import dev.greenloop.events.payload.ControlCommand;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Objects;

/**
 * Signs commands with the keys of a {@link KeyRing}: the key of the command's greenhouse, a
 * fresh 128-bit nonce, issued now and expiring after the configured lifetime. Thread-safe.
 */
public final class CommandSigner {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyRing keys;
    private final Clock clock;
    private final Duration lifetime;

    public CommandSigner(KeyRing keys, Clock clock, Duration lifetime) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("command lifetime must be positive, was " + lifetime);
        }
        this.lifetime = lifetime;
    }

    /**
     * {@code command} with a signature block, its value rounded to the three decimal places the
     * canonical form signs, and with the active key of its greenhouse.
     *
     * @throws IllegalArgumentException when the ring has no key for the command's greenhouse
     * @throws IllegalStateException    when the greenhouse has several keys and none is active
     */
    public ControlCommand sign(ControlCommand unrounded) {
        // The signed form carries three decimals: the command carries exactly what is signed.
        ControlCommand command = new ControlCommand(unrounded.commandId(), unrounded.greenhouseId(), unrounded.zoneId(),
                unrounded.actuator(), CanonicalCommand.rounded(unrounded.value()), unrounded.unit(), unrounded.mode(),
                unrounded.reason(), unrounded.predictionId(), null);
        SigningKey key = keys.forGreenhouse(command.greenhouseId())
                .orElseThrow(() -> new IllegalArgumentException(
                        "no signing key for greenhouse " + command.greenhouseId()));
        Instant issuedAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Instant expiresAt = issuedAt.plus(lifetime).truncatedTo(ChronoUnit.MILLIS);
        byte[] nonceBytes = new byte[16];
        RANDOM.nextBytes(nonceBytes);
        String nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(nonceBytes);
        byte[] content = CanonicalCommand.bytes(command, key.keyId(), issuedAt, expiresAt, nonce);
        return command.withSignature(new CommandSignature(CommandSignature.HMAC_SHA256, key.keyId(),
                issuedAt, expiresAt, nonce, Hmac.sign(key, content)));
    }
}
