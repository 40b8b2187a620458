package dev.greenloop.events.signing;

import java.time.Instant;

/**
 * Remembers the nonces a verifier has accepted, at least until they expire. A gateway that runs
 * several verifier instances shares one store between them.
 */
public interface NonceStore {

    /**
     * Records {@code nonce} of {@code keyId} as used, to be remembered until {@code forgetAfter}.
     *
     * @return {@code true} if this is its first use, {@code false} if it was used before
     * @throws dev.greenloop.events.EventException {@code NONCE_CAPACITY} when the store is full
     *                                             of nonces that have not expired yet
     */
    boolean markUsed(String keyId, String nonce, Instant forgetAfter, Instant now);
}
