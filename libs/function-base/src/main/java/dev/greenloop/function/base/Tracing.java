package dev.greenloop.function.base;

import dev.greenloop.events.Events;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * One trace per reading, hop by hop. Every function continues the trace of what it received
 * (the CloudEvent's {@code traceparent} extension, {@link CloudEventsTraceContext}, or the HTTP
 * request's {@code traceparent}) with the request's span, and every event it emits (replies,
 * {@code K_SINK} posts, Kafka records) carries that span as its {@code traceparent}
 * ({@link Events#traceWith}), so the next hop's span is its child. With the SDK off (no
 * {@link TracingConfig#ENDPOINT}) there is no current span, and events carry their cause's
 * {@code traceparent} unchanged, as before tracing.
 */
@ApplicationScoped
public class Tracing {

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
}
