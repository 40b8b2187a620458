package dev.greenloop.testkit.oidc;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The senders a function's CloudEvents endpoint must tell apart, for {@code audience} at the
 * shared {@link OidcIssuer}: no token, a token for another audience, an expired one, one signed
 * by another key that claims the right issuer, and a valid one. Only the last may have an effect.
 */
public final class SenderTokens {

    /** One sender: its name, the {@code Authorization} header it sends ({@code null}: none), whether it may pass. */
    public record Sender(String name, String authorization, boolean valid) {
        @Override
        public String toString() {
            return name;
        }
    }

    private SenderTokens() {
    }

    public static List<Sender> forAudience(String audience) {
        OidcIssuer issuer = OidcIssuer.shared();
        String forged;
        try (OidcIssuer other = OidcIssuer.start()) {
            forged = other.token(audience, OidcIssuer.DEFAULT_SUBJECT, Instant.now(), Duration.ofMinutes(5), issuer.issuer());
        }
        return List.of(
                new Sender("no token", null, false),
                new Sender("another audience", "Bearer " + issuer.token("greenloop-someone-else"), false),
                new Sender("expired", "Bearer " + issuer.expiredToken(audience), false),
                new Sender("signed by another key", "Bearer " + forged, false),
                new Sender("not a token", "Bearer not-a-jwt", false),
                new Sender("valid", "Bearer " + issuer.token(audience), true));
    }
}
