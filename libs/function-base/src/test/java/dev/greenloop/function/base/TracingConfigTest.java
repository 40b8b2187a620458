package dev.greenloop.function.base;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.smallrye.config.ConfigValue;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Tracing's one setting and the W3C traceparent both ways. */
class TracingConfigTest {

    private static ConfigValue endpoint(String value) {
        return ConfigValue.builder().withName(TracingConfig.ENDPOINT).withValue(value).build();
    }

    @Test
    void withoutAnEndpointTheSdkIsOffAndWithOneItExportsThereOverHttp() {
        assertThat(TracingConfig.properties(null)).containsExactly(Map.entry("quarkus.otel.sdk.disabled", "true"));
        assertThat(TracingConfig.properties(endpoint("  "))).containsExactly(Map.entry("quarkus.otel.sdk.disabled", "true"));
        assertThat(TracingConfig.properties(endpoint("http://collector:4318")))
                .containsEntry("quarkus.otel.sdk.disabled", "false")
                .containsEntry("quarkus.otel.exporter.otlp.traces.endpoint", "http://collector:4318")
                .containsEntry("quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf");
        assertThat(new TracingConfig().getPriority()).hasValue(275);
    }

    @Test
    void aSpanIsWrittenAsAW3CTraceparentAndAnInvalidOneAsNothing() {
        assertThat(Tracing.traceparent(SpanContext.create("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7",
                TraceFlags.getSampled(), TraceState.getDefault()))).isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        assertThat(Tracing.traceparent(SpanContext.create("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7",
                TraceFlags.getDefault(), TraceState.getDefault()))).endsWith("-00");
        assertThat(Tracing.traceparent(SpanContext.getInvalid())).isNull();
        assertThat(Tracing.current()).as("no span outside a request").isNull();
    }
}
