package dev.greenloop.function;

import dev.greenloop.function.base.FunctionException;
import dev.greenloop.function.base.Problem;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.greenloop.events.EventException;
import dev.greenloop.events.json.EventJson;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * Answers failed deliveries with a status Knative acts on and a problem body it copies into the
 * dead-letter event ({@code knativeerrordata}): a {@link FunctionException}'s own status, 400 for
 * an invalid event, 500 for anything unexpected. Funqy wraps what a function throws; this finds
 * the cause.
 */
@ApplicationScoped
public class FailureResponses {

    private static final Logger LOG = Logger.getLogger(FailureResponses.class);

    void install(@Observes Router router) {
        router.route().order(-1000).failureHandler(this::handle);
    }

    void handle(RoutingContext context) {
        Throwable failure = cause(context.failure());
        int status;
        String type;
        String detail;
        List<?> errors = null;
        if (failure instanceof FunctionException p) {
            status = p.status();
            errors = p.errors();
            if (p.retryAfterSeconds() != null) {
                context.response().putHeader("Retry-After", String.valueOf(p.retryAfterSeconds()));
            }
            type = p.problemType();
            detail = p.getMessage();
            if (status == 204 || status == 202) {
                // Success without a reply event (202: taken, to be done later): no body, which the
                // Broker would otherwise try to read as a reply.
                LOG.debugf("No reply (%d): %s", status, detail);
                context.response().setStatusCode(status).end();
                return;
            }
        } else if (failure instanceof io.quarkus.oidc.OIDCException) {
            // The issuer's JWKS cannot be fetched: no sender can be verified now. Knative retries 503.
            status = 503;
            type = "sender-verification-unavailable";
            detail = "cannot verify the sender: the OIDC issuer (greenloop.events.oidc.issuer) is unreachable: "
                    + failure.getMessage();
        } else if (failure instanceof io.quarkus.security.AuthenticationException
                || failure instanceof io.quarkus.security.UnauthorizedException) {
            // A sender without a valid token: answered as the OIDC challenge would be, with a reason.
            status = 401;
            type = "unauthenticated";
            detail = "a CloudEvent must carry a valid OIDC access token for this function's audience"
                    + " (Knative Eventing's authentication-oidc)";
            context.response().putHeader("WWW-Authenticate", "Bearer");
        } else if (failure instanceof io.quarkus.security.ForbiddenException) {
            status = 403;
            type = "forbidden";
            detail = "the sender may not deliver events here";
        } else if (failure instanceof EventException e) {
            status = 400;
            type = "invalid-event";
            detail = e.getMessage();
            errors = e.fieldErrors();
        } else if (failure instanceof JsonProcessingException e) {
            status = 400;
            type = "invalid-event";
            detail = "the event data is not JSON of the expected shape: " + e.getOriginalMessage();
        } else if (failure == null) {
            status = context.statusCode() > 0 ? context.statusCode() : 500;
            type = status == 413 ? "too-large" : "error";
            detail = status == 413 ? "the body is larger than this function accepts (quarkus.http.limits.max-body-size)"
                    : "request failed with status " + status;
        } else {
            status = 500;
            type = "internal-error";
            detail = failure.getClass().getSimpleName() + ": " + failure.getMessage();
        }
        if (status >= 500 && failure instanceof FunctionException) {
            // A known condition (a dependency down, no model): the detail says it all.
            LOG.warnf("Delivery failed (%d): %s", status, detail);
        } else if (status >= 500) {
            LOG.warnf(failure, "Delivery failed (%d): %s", status, detail);
        } else {
            LOG.infof("Delivery refused (%d): %s", status, detail);
        }
        try {
            context.response().setStatusCode(status).putHeader("Content-Type", Problem.MEDIA_TYPE)
                    .end(EventJson.mapper().writeValueAsString(Problem.of(type, status, detail, null, errors)));
        } catch (JsonProcessingException e) {
            context.response().setStatusCode(status).end();
        }
    }

    private static Throwable cause(Throwable t) {
        for (Throwable current = t; current != null; current = current.getCause()) {
            if (current instanceof FunctionException || current instanceof EventException
                    || current instanceof JsonProcessingException || current instanceof io.quarkus.security.AuthenticationException
                    || current instanceof io.quarkus.security.UnauthorizedException
                    || current instanceof io.quarkus.security.ForbiddenException
                    || current instanceof io.quarkus.oidc.OIDCException) {
                return current;
            }
        }
        return t;
    }
}
