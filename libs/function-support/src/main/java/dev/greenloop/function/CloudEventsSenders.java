package dev.greenloop.function;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityPolicy;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The HTTP security policy {@value #NAME} of the CloudEvents endpoint ({@code POST /}): only a
 * sender with a verified OIDC access token for this function's audience gets through, as Knative
 * Eventing's {@code authentication-oidc} feature sends one from every Trigger and Source
 * (quarkus-oidc verifies issuer, audience, expiry and signature; a request without a valid token
 * is answered 401 before the function runs). {@code greenloop.events.oidc.enabled=false} lets
 * every sender through, for a cluster without the feature: then anyone who reaches the function
 * can drive it, and only the network (cluster-local Services, NetworkPolicies) keeps them out.
 */
@ApplicationScoped
public class CloudEventsSenders implements HttpSecurityPolicy {

    public static final String NAME = "cloudevents-sender";
    private static final Logger LOG = Logger.getLogger(CloudEventsSenders.class);

    private final boolean enabled;

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
        return identity.map(id -> id == null || id.isAnonymous() ? CheckResult.DENY : CheckResult.PERMIT);
    }

    @Override
    public String name() {
        return NAME;
    }
}
