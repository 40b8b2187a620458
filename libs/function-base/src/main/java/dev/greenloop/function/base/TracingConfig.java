package dev.greenloop.function.base;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Tracing's one setting: {@code greenloop.tracing.otlp-endpoint} ({@code GREENLOOP_TRACING_OTLP_ENDPOINT}),
 * the OTLP/HTTP endpoint of a collector (for example {@code http://otel-collector.monitoring:4318}).
 * Set, the OpenTelemetry SDK runs and exports every function's spans there
 * ({@code quarkus.otel.sdk.disabled=false}, {@code quarkus.otel.exporter.otlp.traces.endpoint},
 * protocol {@code http/protobuf}); unset (the default), the SDK is off, no span is recorded or
 * exported, and events carry their cause's {@code traceparent} as they are. The derived
 * properties sit above {@code application.properties} and below the environment, so a
 * {@code QUARKUS_OTEL_*} variable still overrides them (a gRPC collector:
 * {@code QUARKUS_OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=grpc}).
 */
public class TracingConfig implements ConfigSourceFactory {

    public static final String ENDPOINT = "greenloop.tracing.otlp-endpoint";
    static final int ORDINAL = 275;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        return List.of(new PropertiesConfigSource(properties(context.getValue(ENDPOINT)), "greenloop tracing", ORDINAL));
    }

    static Map<String, String> properties(ConfigValue endpoint) {
        String value = endpoint == null || endpoint.getValue() == null ? "" : endpoint.getValue().strip();
        if (value.isEmpty()) {
            return Map.of("quarkus.otel.sdk.disabled", "true");
        }
        return Map.of("quarkus.otel.sdk.disabled", "false",
                "quarkus.otel.exporter.otlp.traces.endpoint", value,
                "quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf");
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }
}
