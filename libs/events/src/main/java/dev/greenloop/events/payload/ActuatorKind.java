package dev.greenloop.events.payload;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.greenloop.events.EventException;

import java.util.Arrays;
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

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static ActuatorKind fromWire(String name) {
        return Arrays.stream(values())
                .filter(kind -> kind.wireName().equals(name))
                .findFirst()
                .orElseThrow(() -> EventException.invalidField("actuator", "unknown actuator '" + name + "'"));
    }
}
