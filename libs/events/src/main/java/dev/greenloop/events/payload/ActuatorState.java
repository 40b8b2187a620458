package dev.greenloop.events.payload;

import java.time.Instant;

/**
 * The state an actuator reported (a vent's opening, a heating loop's pipe setpoint, ...).
 *
 * @param actuator  which actuator
 * @param value     its state in {@code unit}, finite
 * @param unit      {@link ActuatorKind#unit()} after ingest
 * @param timestamp when the state was observed
 */
public record ActuatorState(ActuatorKind actuator, double value, String unit, Instant timestamp) {

    public ActuatorState {
        Checks.required("actuator", actuator);
        Checks.finite("value", value);
        Checks.text("unit", unit, 16);
        Checks.required("timestamp", timestamp);
    }
}
