package dev.greenloop.function.base;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A request's span continues the event's trace when the request carries one. */
class CloudEventsTraceContextTest {

    private static final TextMapGetter<Map<String, String>> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier.get(key);
        }
    };

    private static final String EVENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private static final String DISPATCHER = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private static String extracted(TextMapPropagator propagator, Map<String, String> headers) {
        return Tracing.traceparent(Span.fromContext(propagator.extract(Context.root(), headers, HEADERS)).getSpanContext());
    }

    @Test
    void theEventsTraceparentComesBeforeTheRequestsAndARequestWithoutOneKeepsItsOwn() {
        TextMapPropagator w3c = W3CTraceContextPropagator.getInstance();
        TextMapPropagator preferEvent = new CloudEventsTraceContext.PreferEvent(w3c);

        assertThat(extracted(preferEvent, Map.of("traceparent", DISPATCHER, "ce-traceparent", EVENT))).isEqualTo(EVENT);
        assertThat(extracted(preferEvent, Map.of("ce-traceparent", EVENT))).isEqualTo(EVENT);
        assertThat(extracted(preferEvent, Map.of("traceparent", DISPATCHER))).isEqualTo(DISPATCHER);
        assertThat(extracted(preferEvent, Map.of())).isNull();
        // The plain propagator, for comparison, follows the request's header.
        assertThat(extracted(w3c, Map.of("traceparent", DISPATCHER, "ce-traceparent", EVENT))).isEqualTo(DISPATCHER);
        assertThat(preferEvent.fields()).containsExactlyElementsOf(w3c.fields());
    }
}
