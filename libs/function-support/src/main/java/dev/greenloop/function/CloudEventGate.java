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
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

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
        Map<String, String> attributes = new HashMap<>();
        context.request().headers().forEach(h -> {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (name.startsWith("ce-")) {
                String attribute = name.substring(3);
                if (attributes.putIfAbsent(attribute, h.getValue()) != null) {
                    attributes.put(attribute, null);
                }
            }
        });
        try {
            if (attributes.containsValue(null)) {
                String twice = attributes.entrySet().stream().filter(e -> e.getValue() == null).findFirst()
                        .orElseThrow().getKey();
                throw EventException.invalidAttribute(twice, "is given twice (two ce-" + twice + " headers)");
            }
            if (contentType != null) {
                attributes.put("datacontenttype", contentType);
            }
            CloudEventAttributes.check(attributes);
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
        JsonNode envelope;
        if (body.length == 0) {
            throw EventException.malformedJson("the event has no data (empty body)", null);
        }
        try {
            envelope = EventJson.mapper().readTree(body);
        } catch (IOException e) {
            throw EventException.malformedJson("the structured CloudEvent is not JSON", e);
        }
        if (envelope == null || !envelope.isObject()) {
            throw EventException.malformedJson("a structured CloudEvent is a JSON object", null);
        }
        Map<String, String> attributes = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = envelope.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> member = it.next();
            String name = member.getKey();
            if (name.equals("data") || name.equals("data_base64")) {
                continue;
            }
            JsonNode value = member.getValue();
            if (!value.isValueNode() || value.isNull()) {
                throw EventException.invalidAttribute(name, "must be a string, number or boolean");
            }
            attributes.put(name, value.asText());
        }
        if (!envelope.has("data") && !envelope.has("data_base64")) {
            throw EventException.malformedJson("the event has no data", null);
        }
        CloudEventAttributes.check(attributes);
    }
}
