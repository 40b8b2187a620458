package dev.greenloop.function.base;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Puts the label {@code function} (ingest, preprocess, train-launcher, infer, control, monitor) on
 * every meter a function exports, JVM and HTTP meters included, so that dashboards and alerts
 * select a function by what the function itself exports, whatever labels the scrape
 * configuration (a PodMonitor, or annotations) adds. The value is {@code quarkus.application.name}
 * without its {@code greenloop-} prefix.
 */
public class FunctionTag {

    static final String PREFIX = "greenloop-";

    @Produces
    @Singleton
    MeterFilter functionTag(@ConfigProperty(name = "quarkus.application.name") String application) {
        return MeterFilter.commonTags(Tags.of("function", function(application)));
    }

    static String function(String application) {
        return application.startsWith(PREFIX) ? application.substring(PREFIX.length()) : application;
    }
}
