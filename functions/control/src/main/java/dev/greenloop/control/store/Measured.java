package dev.greenloop.control.store;

import dev.greenloop.control.policy.Climate;
import dev.greenloop.events.payload.ActuatorKind;

import java.time.Instant;
import java.util.Map;

/**
 * The zone's latest measured values: the {@code <signal>_last} features of its newest window in
 * the online feature store ({@code OnlineStore}, written by preprocess), and the measured
 * positions of its actuators (pipe temperature, vent opening, screen position) where known.
 */
public record Measured(String windowId, Instant windowStart, Instant windowEnd, Climate climate,
                       Map<ActuatorKind, Double> positions) {

    public Measured {
        positions = Map.copyOf(positions);
    }
}
