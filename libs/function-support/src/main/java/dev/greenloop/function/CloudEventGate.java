package dev.greenloop.function;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.events.CloudEventAttributes;
import dev.greenloop.events.EventException;
import dev.greenloop.events.json.EventJson;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.io.IOException;
import java.util.Locale;

/**
 * Checks a CloudEvent's attributes ({@link CloudEventAttributes}) on the functions' CloudEvents
 * endpoint before Funqy binds it: in binary mode the {@code ce-*} headers, in structured mode
 * the envelope's top-level members. A violation is a 400 problem (Knative dead-letters it, does
 * not retry); nothing of the event is used, logged whole or copied onward. An empty body is a
 * 400 too: no function takes an event without data.
 */
@ApplicationScoped
public class CloudEventGate {

    /** Before Funqy's route, which is added without an order (Vert.x numbers those from 0). */
    static final int ORDER = -1;

    void install(@Observes Router router) {
        router.route(HttpMethod.POST, "/").order(ORDER).handler(this::check);
    }

    void check(RoutingContext context) {
        String contentType = context.request().getHeader("Content-Type");
        boolean structured = contentType != null
                && contentType.toLowerCase(Locale.ROOT).startsWith("application/cloudevents+json");
        // Quarkus' body handler has read the body already (Funqy takes it from there too).
        io.vertx.core.buffer.Buffer body = context.body() == null ? null : context.body().buffer();
        if (structured) {
            try {
                checkStructured(body == null ? new byte[0] : body.getBytes());
            } catch (EventException e) {
                context.fail(400, e);
                return;
            }
            context.next();
            return;
        }
        try {
            CloudEventAttributes.checkHeaders(context.request().headers(), contentType);
            if (body == null || body.length() == 0) {
                throw EventException.malformedJson("the event has no data (empty body)", null);
            }
        } catch (EventException e) {
            context.fail(400, e);
            return;
        }
        context.next();
    }

    private static void checkStructured(byte[] body) {
        if (body.length == 0) {
            throw EventException.malformedJson("the event has no data (empty body)", null);
        }
        JsonNode envelope;
        try {
            envelope = EventJson.mapper().readTree(body);
        } catch (IOException e) {
            throw EventException.malformedJson("the structured CloudEvent is not JSON", e);
        }
        CloudEventAttributes.checkEnvelope(envelope);
    }
}
