package dev.greenloop.function.base;

import dev.greenloop.events.Events;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.Map;

/**
 * One trace per reading, hop by hop. Every function continues the trace of what it received
 * (the HTTP request's {@code traceparent}, or the CloudEvent's {@code traceparent} extension)
 * with a span of its own, and every event it emits (replies, {@code K_SINK} posts, Kafka
 * records) carries that span as its {@code traceparent} ({@link Events#traceWith}), so the
 * next hop's span is its child. With the SDK off (no {@link TracingConfig#ENDPOINT}) the current
 * span is the incoming one, and events carry it unchanged, as before tracing.
 */
@ApplicationScoped
public class Tracing {

    private static final TextMapGetter<Map<String, String>> MAP = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    void start(@Observes StartupEvent started) {
        Events.traceWith(Tracing::current);
    }

    /** The current span as a W3C {@code traceparent}, or null when there is none. */
    public static String current() {
        return traceparent(Span.current().getSpanContext());
    }

    /** {@code context} as a W3C {@code traceparent}, or null when it is not valid. */
    public static String traceparent(SpanContext context) {
        if (!context.isValid()) {
            return null;
        }
        return "00-" + context.getTraceId() + "-" + context.getSpanId() + "-" + context.getTraceFlags().asHex();
    }

    /** The context a W3C {@code traceparent} (and {@code tracestate}, may be null) names; root when invalid. */
    public static Context parent(String traceparent, String tracestate) {
        if (traceparent == null) {
            return Context.root();
        }
        Map<String, String> carrier = tracestate == null ? Map.of("traceparent", traceparent)
                : Map.of("traceparent", traceparent, "tracestate", tracestate);
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), carrier, MAP);
    }
}
