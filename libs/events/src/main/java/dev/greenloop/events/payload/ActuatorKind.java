package dev.greenloop.events.payload;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.greenloop.events.EventException;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.Locale;

/**
 * An actuator of a zone, with the unit of its state and its commands.
 * {@link #HEATING} is commanded as a pipe-temperature setpoint; everything else as a percentage.
 */
public enum ActuatorKind {
    HEATING(Units.CELSIUS),
    VENT(Units.PERCENT),
    SCREEN(Units.PERCENT),
    LAMPS(Units.PERCENT),
    FOGGING(Units.PERCENT),
    CO2_DOSING(Units.PERCENT);

    private final String unit;

    ActuatorKind(String unit) {
        this.unit = unit;
    }

    public String unit() {
        return unit;
    }

    private final String wireName = name().toLowerCase(Locale.ROOT);

    @JsonValue
    public String wireName() {
        return wireName;
    }

    private static final Map<String, ActuatorKind> BY_WIRE_NAME = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(ActuatorKind::wireName, Function.identity()));

    @JsonCreator
    public static ActuatorKind fromWire(String name) {
        ActuatorKind found = name == null ? null : BY_WIRE_NAME.get(name);
        if (found == null) {
            throw EventException.invalidField("actuator", "unknown actuator '" + name + "'");
        }
        return found;
    }
}
