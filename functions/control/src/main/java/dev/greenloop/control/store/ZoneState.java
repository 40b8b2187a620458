package dev.greenloop.control.store;

import dev.greenloop.control.policy.ActuatorSetting;
import dev.greenloop.events.payload.ActuatorKind;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What control last did in a zone ({@code control_state}): each actuator's commanded setting and
 * when it changed, the last prediction it handled (by its window's end, so an older or
 * out-of-order prediction is ignored), the state's {@code version} (raised by every decision that
 * changes an actuator: decisions are compare-and-set on it), and the last such decision, which
 * is {@code complete} once all of its commands are published.
 */
public record ZoneState(Map<ActuatorKind, ActuatorSetting> actuators, Instant lastWindowEnd, String lastPredictionId,
                        Instant lastPredictionAt, long version, Decision lastDecision) {

    public static final ZoneState NEW = new ZoneState(Map.of(), null, null, null, 0, null);

    /** A decision that changed actuators: its key (the causing event's id), its commands, whether all are published. */
    public record Decision(String key, List<String> commandIds, boolean complete) {
        public Decision {
            commandIds = List.copyOf(commandIds);
        }
    }

    public ZoneState {
        actuators = Map.copyOf(actuators);
    }

    /** Whether the decision keyed {@code key} claimed this state and did not finish publishing. */
    public boolean unfinished(String key) {
        return lastDecision != null && !lastDecision.complete() && lastDecision.key().equals(key);
    }
}
