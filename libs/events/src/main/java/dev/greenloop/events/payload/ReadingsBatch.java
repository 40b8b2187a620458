package dev.greenloop.events.payload;

import dev.greenloop.events.EventException;
import dev.greenloop.events.EventIds;

import java.util.List;

/**
 * Payload of {@code dev.greenloop.sensor.readings.v1}: what one device measured in one zone,
 * with the actuator states it reported alongside. At least one of the two lists is non-empty.
 */
public record ReadingsBatch(String greenhouseId, String zoneId, String deviceId,
                            List<Reading> readings, List<ActuatorState> actuators) implements EventPayload, ZoneScoped {

    public ReadingsBatch {
        Checks.id("greenhouseId", greenhouseId);
        Checks.id("zoneId", zoneId);
        Checks.id("deviceId", deviceId);
        readings = Checks.list("readings", readings);
        actuators = Checks.list("actuators", actuators);
        if (readings.isEmpty() && actuators.isEmpty()) {
            throw EventException.invalidField("readings", "must not be empty when there are no actuator states");
        }
    }

    /**
     * Stable id of a reading of this batch: the same device, sensor and timestamp always give the
     * same id, so consumers can drop a resent reading.
     */
    public String readingId(Reading reading) {
        return EventIds.derived("reading", greenhouseId, deviceId, reading.sensor().wireName(),
                reading.timestamp().toString());
    }

    /** Stable id of an actuator state of this batch, like {@link #readingId(Reading)}. */
    public String actuatorStateId(ActuatorState state) {
        return EventIds.derived("actuator-state", greenhouseId, deviceId, state.actuator().wireName(),
                state.timestamp().toString());
    }

    /** Number of items (readings plus actuator states) in the batch. */
    public int size() {
        return readings.size() + actuators.size();
    }
}
