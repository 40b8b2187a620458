package dev.greenloop.ingest.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.greenloop.ingest.IngestConfig;
import dev.greenloop.ingest.IngestException;
import dev.greenloop.ingest.IngestException.Kind;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/**
 * Resolves {@code Authorization: Bearer <token>} to a device. Lookups, including misses, are
 * cached for {@code token-cache-ttl}, so a flood of bad tokens does not become a flood of
 * MongoDB queries, and a revoked token stops working within that time.
 */
@ApplicationScoped
public class Authenticator {

    private static final String BEARER = "Bearer ";

    private final DeviceRegistry registry;
    private final Cache<String, Optional<Device>> cache;

    public Authenticator(DeviceRegistry registry, IngestConfig config) {
        this.registry = registry;
        this.cache = Caffeine.newBuilder()
                .expireAfterWrite(config.auth().tokenCacheTtl())
                .maximumSize(100_000)
                .build();
    }

    /**
     * The device the request is from.
     *
     * @throws IngestException {@code UNAUTHENTICATED} for a missing, malformed, unknown or revoked token
     */
    public Device authenticate(String authorization) {
        return cache.get(Tokens.hash(token(authorization)), registry::findByTokenHash).orElseThrow(Authenticator::unknown);
    }

    /**
     * As {@link #authenticate}, from what is known without a query: the device, or null when the
     * token is well formed but its lookup is not cached (only {@link #authenticate} may block).
     *
     * @throws IngestException {@code UNAUTHENTICATED} for a missing or malformed token, or one known to be unknown or revoked
     */
    public Device authenticateIfKnown(String authorization) {
        Optional<Device> known = cache.getIfPresent(Tokens.hash(token(authorization)));
        return known == null ? null : known.orElseThrow(Authenticator::unknown);
    }

    private static String token(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw IngestException.of(Kind.UNAUTHENTICATED,
                    "send the device token as 'Authorization: Bearer <token>'");
        }
        if (!authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw IngestException.of(Kind.UNAUTHENTICATED, "only Bearer device tokens are accepted");
        }
        String token = authorization.substring(BEARER.length()).trim();
        if (token.isEmpty() || token.length() > 256) {
            throw IngestException.of(Kind.UNAUTHENTICATED, "the bearer token is empty or too long");
        }
        return token;
    }

    private static IngestException unknown() {
        return IngestException.of(Kind.UNAUTHENTICATED, "unknown or revoked device token");
    }

    /** Forgets cached lookups (after a revocation through this instance). */
    public void invalidateAll() {
        cache.invalidateAll();
    }
}
