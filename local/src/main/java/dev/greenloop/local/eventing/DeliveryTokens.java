package dev.greenloop.local.eventing;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The dispatcher's OIDC tokens, one per audience, reused until they near their end, as Knative's
 * dispatchers keep the tokens they get from the TokenRequest API. Minting a token per delivery
 * signed one RSA token per hop, and the subscriber could never take it from its cache of
 * verified tokens: both showed in the loop's latency ({@code docs/benchmarks.md}).
 */
public final class DeliveryTokens implements Function<String, String> {

    private record Minted(String token, Instant at) {
    }

    private final Function<String, String> mint;
    private final Duration reuseFor;
    private final Supplier<Instant> now;
    private final Map<String, Minted> byAudience = new ConcurrentHashMap<>();

    /**
     * @param mint     a new token for an audience
     * @param reuseFor how long a token is handed out after it was minted: less than its lifetime,
     *                 by more than a delivery's attempts take
     * @param now      the time now
     */
    public DeliveryTokens(Function<String, String> mint, Duration reuseFor, Supplier<Instant> now) {
        this.mint = mint;
        this.reuseFor = reuseFor;
        this.now = now;
    }

    @Override
    public String apply(String audience) {
        Instant at = now.get();
        return byAudience.compute(audience, (a, minted) -> minted == null || !at.isBefore(minted.at().plus(reuseFor))
                ? new Minted(mint.apply(a), at) : minted).token();
    }
}
