package dev.greenloop.preprocess.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.greenloop.events.EventException;
import dev.greenloop.events.json.EventJson;
import dev.greenloop.preprocess.PreprocessException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Answers failed deliveries with a status Knative acts on and a problem body it copies into the
 * dead-letter event ({@code knativeerrordata}): 400 for an invalid event (not retried), 503 for
 * a store, sink or archive failure (retried), 204 when there is nothing to reply.
 */
@ApplicationScoped
public class FailureResponses {

    private static final Logger LOG = Logger.getLogger(FailureResponses.class);

    void install(@Observes Router router) {
        router.route().order(-1000).failureHandler(this::handle);
    }

    void handle(RoutingContext context) {
        Throwable failure = unwrap(context.failure());
        int status;
        String title;
        String detail;
        if (failure instanceof PreprocessException e) {
            status = e.kind().status();
            title = e.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            detail = e.getMessage();
            if (e.kind() == PreprocessException.Kind.NO_REPLY) {
                LOG.debugf("No reply: %s", detail);
                context.response().setStatusCode(204).end();
                return;
            }
        } else if (failure instanceof EventException e) {
            status = 400;
            title = "invalid-event";
            detail = e.getMessage();
        } else if (failure instanceof JsonProcessingException e) {
            status = 400;
            title = "invalid-event";
            detail = "the event data is not JSON of the expected shape: " + e.getOriginalMessage();
        } else if (failure == null) {
            status = context.statusCode() > 0 ? context.statusCode() : 500;
            title = "error";
            detail = "request failed with status " + status;
        } else {
            status = 500;
            title = "internal-error";
            detail = failure.getClass().getSimpleName() + ": " + failure.getMessage();
        }
        if (status >= 500) {
            LOG.warnf(failure, "Delivery failed (%d): %s", status, detail);
        } else {
            LOG.infof("Delivery refused (%d): %s", status, detail);
        }
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "https://greenloop.dev/problems/" + title);
        problem.put("title", title);
        problem.put("status", status);
        problem.put("detail", detail);
        if (failure instanceof EventException e && !e.fieldErrors().isEmpty()) {
            problem.put("errors", e.fieldErrors());
        }
        try {
            context.response().setStatusCode(status).putHeader("Content-Type", "application/problem+json")
                    .end(EventJson.mapper().writeValueAsString(problem));
        } catch (JsonProcessingException e) {
            context.response().setStatusCode(status).end();
        }
    }

    private static Throwable unwrap(Throwable t) {
        // Funqy wraps what the function throws (ApplicationException), as do futures.
        Throwable current = t;
        while (current != null) {
            if (current instanceof PreprocessException || current instanceof EventException
                    || current instanceof JsonProcessingException) {
                return current;
            }
            current = current.getCause();
        }
        return t;
    }
}
