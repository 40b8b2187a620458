package dev.greenloop.function;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sender tokens quarkus-oidc has verified, remembered until they expire (never longer than
 * {@link #MAX_AGE}), so a Trigger's token is checked once and not on every event it delivers:
 * verifying a signature is the largest fixed cost of an event (a function answers 2.6 times as
 * many events per second without it, docs/benchmarks.md). A Trigger or Source sends the same
 * token until it nears its expiry, so a handful of entries serve a cluster. Only a verified
 * token is ever admitted; an invalid one is verified, and refused, every time. The bound on the
 * age limits how long a token stays accepted after its signing key is withdrawn from the
 * issuer's key set. Token times are real time (tokens expire in the world, not in the events'
 * time), so this clock is the system's.
 */
public final class VerifiedTokens {

    /** The longest a verified token is taken without verifying it again. */
    public static final Duration MAX_AGE = Duration.ofMinutes(5);
    /** Entries kept at most; above it the expired ones go, and if none had, all of them. */
    static final int MAX_ENTRIES = 1024;

    private final Clock clock;
    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();

    public VerifiedTokens(Clock clock) {
        this.clock = clock;
    }

    /** True when {@code token} was verified and neither it nor its entry has expired since. */
    public boolean verified(String token) {
        if (token == null) {
            return false;
        }
        Instant until = tokens.get(token);
        if (until == null) {
            return false;
        }
        if (!clock.instant().isBefore(until)) {
            tokens.remove(token, until);
            return false;
        }
        return true;
    }

    /** Remembers a token quarkus-oidc has just verified, which expires at {@code expiresAt}. */
    public void remember(String token, Instant expiresAt) {
        if (token == null || expiresAt == null) {
            return;
        }
        Instant now = clock.instant();
        Instant until = expiresAt.isBefore(now.plus(MAX_AGE)) ? expiresAt : now.plus(MAX_AGE);
        if (!now.isBefore(until)) {
            return;
        }
        if (tokens.size() >= MAX_ENTRIES) {
            tokens.values().removeIf(t -> !now.isBefore(t));
            if (tokens.size() >= MAX_ENTRIES) {
                tokens.clear();
            }
        }
        tokens.put(token, until);
    }

    int size() {
        return tokens.size();
    }
}
