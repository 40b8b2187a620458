package dev.greenloop.function;

import dev.greenloop.function.base.ProtocolDoor;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.OIDCException;
import io.quarkus.security.AuthenticationException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.vertx.core.Context;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

/**
 * The sender's token is verified before anything of a CloudEvent's body is read or held. Quarkus
 * checks HTTP permissions after its body handler, and that handler reads the whole body (Funqy
 * installs it on every route): without this door, a sender with no token or a forged one could
 * declare a large body and send it slowly, holding body budget ({@code BodyBudget}) and memory
 * until the read timeout, and be answered 401 only then. Here a {@code POST /} without a Bearer
 * token, or with one quarkus-oidc does not verify for this function's audience, is answered 401
 * (the same problem as {@link FailureResponses} gives) before the body budget and the body
 * handler, its body unread; an HTTP/1 connection is closed after the answer. A verified token is
 * remembered ({@link CloudEventsSenders}), so the permission check that follows takes it without
 * verifying it again. When the token cannot be verified for want of the issuer (its keys
 * unreachable), the request goes on and the permission check answers as before. Off with
 * sender identity ({@code greenloop.events.oidc.enabled=false}).
 */
@ApplicationScoped
public class SenderDoor {

    /**
     * Before the body handler, in the first rank of routes with {@code BodyBudget}; within a rank
     * Vert.x keeps the order routes were added in, and this one is added first (its observer's
     * priority).
     */
    static final int ORDER = RouteConstants.ROUTE_ORDER_BODY_HANDLER - 1;

    private final CloudEventsSenders senders;
    private final IdentityProviderManager identities;

    public SenderDoor(CloudEventsSenders senders, IdentityProviderManager identities) {
        this.senders = senders;
        this.identities = identities;
    }

    void install(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) Router router) {
        if (senders.enabled()) {
            router.route(HttpMethod.POST, "/").order(ORDER).handler(this::check);
        }
    }

    void check(RoutingContext context) {
        String token = CloudEventsSenders.bearer(context.request().getHeader("Authorization"));
        if (token == null) {
            refuse(context, "no Bearer token");
            return;
        }
        if (senders.verified(token)) {
            context.next();
            return;
        }
        // Verification may wait for the issuer's keys; the body waits unread (the body handler
        // resumes the request).
        context.request().pause();
        Context loop = context.vertx().getOrCreateContext();
        TokenAuthenticationRequest request = new TokenAuthenticationRequest(new AccessTokenCredential(token));
        HttpSecurityUtils.setRoutingContextAttribute(request, context);
        identities.authenticate(request).subscribe().with(
                identity -> loop.runOnContext(v -> {
                    if (identity == null || identity.isAnonymous()) {
                        refuse(context, "the token gives no identity");
                        return;
                    }
                    senders.remember(token, identity);
                    context.next();
                }),
                failure -> loop.runOnContext(v -> {
                    if (failure instanceof AuthenticationException && !issuerUnreachable(failure)) {
                        refuse(context, failure.getMessage());
                    } else {
                        // The issuer cannot be asked now: the permission check answers, as before.
                        context.next();
                    }
                }));
    }

    private static boolean issuerUnreachable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof OIDCException) {
                return true;
            }
        }
        return false;
    }

    private static void refuse(RoutingContext context, String why) {
        ProtocolDoor.closeAfterAnswer(context);
        context.fail(new AuthenticationFailedException(why));
    }
}
