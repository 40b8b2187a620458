package dev.greenloop.ingest.http;

import dev.greenloop.function.base.Problem;
import dev.greenloop.function.base.ProtocolDoor;
import dev.greenloop.ingest.IngestException;
import dev.greenloop.ingest.auth.Authenticator;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import org.jboss.logging.Logger;

import java.util.regex.Pattern;

/**
 * Device routes check the device token before anything of the body is read or held. Without
 * this, a client with no token or a wrong one could declare a large body and send it slowly: its
 * bytes would be reserved from the body budget and read into memory until the read timeout, and
 * the 401 would come only after. Here a {@code POST} to {@code /v1/greenhouses/{id}/readings} or
 * to {@code /} whose token is missing, malformed, unknown or revoked is answered 401 (the same
 * problem and challenge the resources give) before the body budget and the body handler, its
 * body unread, and the connection is closed. A token whose lookup is not cached is looked up on a
 * worker thread, not the event loop; when the lookup itself fails (MongoDB unreachable), the
 * request goes on and the resource answers as before. The resources still authenticate: this
 * door only refuses early.
 */
@ApplicationScoped
public class TokenDoor {

    /**
     * Before the body handler, in the first rank of routes with {@code BodyBudget}; within a rank
     * Vert.x keeps the order routes were added in, and this one is added first (its observer's
     * priority).
     */
    static final int ORDER = RouteConstants.ROUTE_ORDER_BODY_HANDLER - 1;
    private static final Pattern DEVICE_ROUTE = Pattern.compile("/|/v1/greenhouses/[^/]+/readings/?");
    private static final Logger LOG = Logger.getLogger(TokenDoor.class);

    private final Authenticator authenticator;

    public TokenDoor(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    void install(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) Router router) {
        router.route().order(ORDER).handler(this::check);
    }

    void check(RoutingContext context) {
        if (context.request().method() != HttpMethod.POST || !DEVICE_ROUTE.matcher(context.request().path()).matches()) {
            context.next();
            return;
        }
        String authorization = context.request().getHeader("Authorization");
        try {
            if (authenticator.authenticateIfKnown(authorization) != null) {
                context.next();
                return;
            }
        } catch (IngestException e) {
            refuse(context, e);
            return;
        }
        // Not cached: a MongoDB lookup, which may block. The body waits, unread (the request is
        // paused until the body handler resumes it).
        context.request().pause();
        context.vertx().<IngestException>executeBlocking(() -> {
            try {
                authenticator.authenticate(authorization);
                return null;
            } catch (IngestException e) {
                return e;
            }
        }, false).onComplete(done -> {
            if (done.succeeded() && done.result() != null && done.result().status() == 401) {
                refuse(context, done.result());
            } else {
                if (done.failed()) {
                    LOG.debugf(done.cause(), "Device token lookup failed before the body was read; the resource decides");
                }
                context.next();
            }
        });
    }

    /** Answers an UNAUTHENTICATED refusal as the resources' mapper does, the body unread. */
    private static void refuse(RoutingContext context, IngestException e) {
        String body = ProtocolDoor.json(Problem.of(e.problemType(), e.kind().title(), e.status(), e.getMessage(),
                context.request().path(), e.errors()));
        ProtocolDoor.closeAfterAnswer(context);
        context.response().setStatusCode(401).putHeader("Content-Type", Problem.MEDIA_TYPE)
                .putHeader("WWW-Authenticate", "Bearer realm=\"greenloop\"").end(body);
    }
}
