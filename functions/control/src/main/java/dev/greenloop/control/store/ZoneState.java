package dev.greenloop.control.store;

import dev.greenloop.control.policy.ActuatorSetting;
import dev.greenloop.events.payload.ActuatorKind;

import java.time.Instant;
import java.util.Map;

/**
 * What control last did in a zone ({@code control_state}): each actuator's commanded setting and
 * when it changed, and the last prediction it handled (by its window's end, so an older or
 * out-of-order prediction is ignored).
 */
public record ZoneState(Map<ActuatorKind, ActuatorSetting> actuators, Instant lastWindowEnd, String lastPredictionId,
                        Instant lastPredictionAt) {

    public static final ZoneState NEW = new ZoneState(Map.of(), null, null, null);

    public ZoneState {
        actuators = Map.copyOf(actuators);
    }
}
