package dev.greenloop.function.base;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.quarkus.opentelemetry.runtime.propagation.TextMapPropagatorCustomizer;
import jakarta.inject.Singleton;

import java.util.Collection;

/**
 * Continues a trace from the CloudEvent a request carries: when a request has the binary-mode
 * headers {@code ce-traceparent} (and {@code ce-tracestate}), the W3C propagator reads them
 * instead of {@code traceparent}, so the span Quarkus starts for the request is a child of the
 * event's {@code traceparent} extension, which every Broker keeps whatever it does with HTTP
 * headers (Knative's dispatchers put their own span there when Knative traces). A request
 * without them (a gateway's POST to ingest, an operator's call) continues its
 * {@code traceparent} header as usual. Writing is unchanged.
 */
@Singleton
public class CloudEventsTraceContext implements TextMapPropagatorCustomizer {

    static final String PREFIX = "ce-";

    @Override
    public TextMapPropagator customize(Context context) {
        TextMapPropagator propagator = context.propagator();
        return propagator instanceof W3CTraceContextPropagator ? new PreferEvent(propagator) : propagator;
    }

    /** The W3C propagator reading an event's {@code ce-traceparent} before the request's {@code traceparent}. */
    static final class PreferEvent implements TextMapPropagator {

        private final TextMapPropagator w3c;

        PreferEvent(TextMapPropagator w3c) {
            this.w3c = w3c;
        }

        @Override
        public Collection<String> fields() {
            return w3c.fields();
        }

        @Override
        public <C> void inject(io.opentelemetry.context.Context context, C carrier, TextMapSetter<C> setter) {
            w3c.inject(context, carrier, setter);
        }

        @Override
        public <C> io.opentelemetry.context.Context extract(io.opentelemetry.context.Context context, C carrier,
                                                              TextMapGetter<C> getter) {
            if (carrier == null || getter.get(carrier, PREFIX + "traceparent") == null) {
                return w3c.extract(context, carrier, getter);
            }
            return w3c.extract(context, carrier, new TextMapGetter<C>() {
                @Override
                public Iterable<String> keys(C c) {
                    return getter.keys(c);
                }

                @Override
                public String get(C c, String key) {
                    return getter.get(c, PREFIX + key);
                }
            });
        }
    }
}
