package dev.greenloop.events.payload;

import java.time.Instant;

/**
 * One measurement of one sensor.
 *
 * @param sensor    what was measured
 * @param value     the measured value, finite
 * @param unit      the unit of {@code value}; after ingest it is {@link SensorKind#canonicalUnit()}
 * @param timestamp when it was measured (device clock)
 */
public record Reading(SensorKind sensor, double value, String unit, Instant timestamp) {

    public Reading {
        Checks.required("sensor", sensor);
        Checks.finite("value", value);
        Checks.text("unit", unit, 16);
        Checks.required("timestamp", timestamp);
    }
}
