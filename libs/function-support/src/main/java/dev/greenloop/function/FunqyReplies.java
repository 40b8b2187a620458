package dev.greenloop.function;

import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventBuilder;

import java.util.HashMap;
import java.util.Map;

/**
 * Replies built with {@code dev.greenloop.events.Events} (derived id, causation, trace, schema)
 * turned into Funqy's CloudEvent, so a function replies with exactly the contract's attributes.
 * The payload is written by Funqy's mapper; set {@code quarkus.jackson.serialization-inclusion=non-null}.
 */
public final class FunqyReplies {

    private FunqyReplies() {
    }

    public static <T> CloudEvent<T> reply(io.cloudevents.CloudEvent event, T payload) {
        Map<String, String> extensions = new HashMap<>();
        for (String name : event.getExtensionNames()) {
            extensions.put(name, String.valueOf(event.getExtension(name)));
        }
        CloudEventBuilder builder = CloudEventBuilder.create()
                .id(event.getId())
                .type(event.getType())
                .source(event.getSource().toString())
                .extensions(extensions);
        if (event.getSubject() != null) {
            builder.subject(event.getSubject());
        }
        if (event.getTime() != null) {
            builder.time(event.getTime());
        }
        if (event.getDataSchema() != null) {
            builder.dataSchema(event.getDataSchema().toString());
        }
        return builder.build(payload);
    }

    /** The extensions of a Funqy event, never null. */
    public static Map<String, String> extensions(CloudEvent<?> event) {
        return event.extensions() == null ? Map.of() : event.extensions();
    }
}
