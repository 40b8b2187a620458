package dev.greenloop.function;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.events.CloudEventAttributes;
import dev.greenloop.events.EventException;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.function.base.Tracing;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.Locale;

/**
 * Checks a CloudEvent's attributes ({@link CloudEventAttributes}) on the functions' CloudEvents
 * endpoint before Funqy binds it: in binary mode the {@code ce-*} headers, in structured mode
 * the envelope's top-level members. A violation is a 400 problem (Knative dead-letters it, does
 * not retry); nothing of the event is used, logged whole or copied onward. An empty body is a
 * 400 too: no function takes an event without data.
 *
 * <p>An event that passes has its id and type noted on this hop's span: the request's span,
 * a child of the event's {@code traceparent} ({@code CloudEventsTraceContext}), which what the
 * function emits continues ({@link Tracing}).
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
        byte[] body = context.body() == null || context.body().buffer() == null ? new byte[0]
                : context.body().buffer().getBytes();
        try {
            if (structured) {
                // The contract's parser: an empty body, NaN and numbers beyond a double are invalid events too.
                JsonNode envelope = PayloadCodec.parse(body);
                CloudEventAttributes.checkEnvelope(envelope);
                hop(envelope.path("type").asText(null), envelope.path("id").asText(null));
            } else {
                CloudEventAttributes.checkHeaders(context.request().headers(), contentType);
                if (body.length == 0) {
                    throw EventException.malformedJson("the event has no data (empty body)", null);
                }
                hop(context.request().getHeader("ce-type"), context.request().getHeader("ce-id"));
            }
        } catch (EventException e) {
            context.fail(400, e);
            return;
        }
        context.next();
    }

    /**
     * Notes the event's id and type on this hop's span: the HTTP request's ({@code POST /}), which
     * Quarkus starts and {@code CloudEventsTraceContext} makes a child of the event's
     * {@code traceparent} extension.
     */
    private static void hop(String type, String id) {
        Span span = Span.current();
        if (span.isRecording()) {
            span.setAttribute("cloudevents.event_id", id);
            span.setAttribute("cloudevents.event_type", type);
        }
    }
}
