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

    /**
     * {@link #markUsed(String, String, Instant, Instant)} on behalf of one verification
     * {@code attempt} (one receipt of a command, kept while the caller retries checking it): when
     * the nonce is already recorded by this same attempt, it counts as a first use. That is the
     * case of a store write the store applied while the caller saw it fail (an ambiguous write):
     * the retry must not read as a replay. A store without ambiguous writes (one process, in
     * memory) ignores the attempt.
     *
     * @param attempt the caller's id of this receipt of the command; {@code null}: none
     */
    default boolean markUsed(String keyId, String nonce, String attempt, Instant forgetAfter, Instant now) {
        return markUsed(keyId, nonce, forgetAfter, now);
    }
}
