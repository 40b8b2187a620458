package dev.greenloop.control;

import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.CommandMode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * control's meters: {@code greenloop.control.commands{greenhouse,actuator,mode}},
 * {@code greenloop.control.decisions{greenhouse,zone,mode}} (one per decision taken for a zone),
 * {@code greenloop.control.fallbacks{reason}}, {@code greenloop.control.envelope{actuator,step}}
 * (every time the safety envelope changed or held a proposal), {@code greenloop.control.ignored{reason}}
 * (predictions not acted on), {@code greenloop.control.decision.conflicts} (decisions made again
 * because another one changed the zone first) and the gauge
 * {@code greenloop.control.commands.unacknowledged}.
 */
@ApplicationScoped
public class ControlMetrics {

    private final MeterRegistry registry;
    private final AtomicLong unacknowledged = new AtomicLong();

    public ControlMetrics(MeterRegistry registry) {
        this.registry = registry;
        registry.gauge("greenloop.control.commands.unacknowledged", unacknowledged);
    }

    public void command(String greenhouse, ActuatorKind actuator, CommandMode mode) {
        Counter.builder("greenloop.control.commands").description("Commands published")
                .tag("greenhouse", greenhouse).tag("actuator", actuator.wireName()).tag("mode", mode.wireName())
                .register(registry).increment();
    }

    /** One per decision taken for a zone (commands or none), by mode: what the fallback alert reads. */
    public void decision(String greenhouse, String zone, CommandMode mode) {
        Counter.builder("greenloop.control.decisions").description("Decisions taken per zone, by mode")
                .tag("greenhouse", greenhouse).tag("zone", zone).tag("mode", mode.wireName()).register(registry).increment();
    }

    public void fallback(String reason) {
        Counter.builder("greenloop.control.fallbacks").description("Decisions made by the fallback thermostat")
                .tag("reason", reason).register(registry).increment();
    }

    public void ignored(String reason) {
        Counter.builder("greenloop.control.ignored").description("Predictions not acted on")
                .tag("reason", reason).register(registry).increment();
    }

    /** {@code limited}: counts by {@code "<actuator>:<step>"}, as the envelope reports them. */
    public void envelope(Map<String, Integer> limited) {
        limited.forEach((key, count) -> {
            int colon = key.indexOf(':');
            Counter.builder("greenloop.control.envelope").description("Proposals the safety envelope limited or held")
                    .tag("actuator", key.substring(0, colon)).tag("step", key.substring(colon + 1)).register(registry)
                    .increment(count);
        });
    }

    public void conflict() {
        Counter.builder("greenloop.control.decision.conflicts")
                .description("Decisions made again because another decision for the zone changed its state first")
                .register(registry).increment();
    }

    public void unacknowledged(long count) {
        unacknowledged.set(count);
    }
}
