package dev.greenloop.function;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityPolicy;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;

/**
 * The HTTP security policy {@value #NAME} of the CloudEvents endpoint ({@code POST /}): only a
 * sender with a verified OIDC access token for this function's audience gets through, as Knative
 * Eventing's {@code authentication-oidc} feature sends one from every Trigger and Source
 * (quarkus-oidc verifies issuer, audience, expiry and signature; a request without a valid token
 * is answered 401 before the function runs). {@code greenloop.events.oidc.enabled=false} lets
 * every sender through, for a cluster without the feature: then anyone who reaches the function
 * can drive it, and only the network (cluster-local Services, NetworkPolicies) keeps them out.
 * A token once verified is taken until it expires, for at most {@link VerifiedTokens#MAX_AGE},
 * without verifying its signature again ({@link VerifiedTokens}).
 */
@ApplicationScoped
public class CloudEventsSenders implements HttpSecurityPolicy {

    public static final String NAME = "cloudevents-sender";
    private static final String BEARER = "Bearer ";
    private static final Logger LOG = Logger.getLogger(CloudEventsSenders.class);

    private final boolean enabled;
    private final VerifiedTokens verified = new VerifiedTokens(Clock.systemUTC());

    public CloudEventsSenders(@ConfigProperty(name = "greenloop.events.oidc.enabled", defaultValue = "true") boolean enabled) {
        this.enabled = enabled;
        if (!enabled) {
            LOG.warn("Sender identity is off (greenloop.events.oidc.enabled=false): any sender that reaches this function's"
                    + " CloudEvents endpoint is accepted");
        }
    }

    @Override
    public Uni<CheckResult> checkPermission(RoutingContext request, Uni<SecurityIdentity> identity,
                                            AuthorizationRequestContext context) {
        if (!enabled) {
            return Uni.createFrom().item(CheckResult.PERMIT);
        }
        String token = bearer(request.request().getHeader("Authorization"));
        if (verified.verified(token)) {
            return Uni.createFrom().item(CheckResult.PERMIT);
        }
        return identity.map(id -> {
            if (id == null || id.isAnonymous()) {
                return CheckResult.DENY;
            }
            remember(token, id);
            return CheckResult.PERMIT;
        });
    }

    boolean enabled() {
        return enabled;
    }

    /** True when {@code token} was verified lately ({@link VerifiedTokens}). */
    boolean verified(String token) {
        return verified.verified(token);
    }

    /** Remembers {@code token} as verified, until its identity's JWT expires. */
    void remember(String token, SecurityIdentity id) {
        if (id.getPrincipal() instanceof JsonWebToken jwt && jwt.getExpirationTime() > 0) {
            verified.remember(token, Instant.ofEpochSecond(jwt.getExpirationTime()));
        }
    }

    /** The token of an {@code Authorization: Bearer} header, null for any other. */
    static String bearer(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String token = authorization.substring(BEARER.length()).trim();
        return token.isEmpty() ? null : token;
    }

    @Override
    public String name() {
        return NAME;
    }
}
