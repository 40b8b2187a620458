package dev.greenloop.events.payload;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.greenloop.events.EventException;

import java.util.Arrays;

/**
 * What a sensor measures, with the canonical unit every reading is normalised to before it
 * reaches Kafka. The wire name is the lower-case form ({@code air_temperature}).
 */
public enum SensorKind {
    AIR_TEMPERATURE(Units.CELSIUS),
    RELATIVE_HUMIDITY(Units.PERCENT),
    CO2(Units.PPM),
    PAR(Units.PPFD),
    OUTSIDE_TEMPERATURE(Units.CELSIUS),
    OUTSIDE_HUMIDITY(Units.PERCENT),
    GLOBAL_RADIATION(Units.WATT_PER_M2),
    WIND_SPEED(Units.METRE_PER_SECOND),
    PIPE_TEMPERATURE(Units.CELSIUS),
    VENT_OPENING(Units.PERCENT),
    SCREEN_POSITION(Units.PERCENT),
    LAMPS(Units.PERCENT);

    private final String canonicalUnit;

    SensorKind(String canonicalUnit) {
        this.canonicalUnit = canonicalUnit;
    }

    /** The unit readings of this kind carry after normalisation. */
    public String canonicalUnit() {
        return canonicalUnit;
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    @JsonCreator
    public static SensorKind fromWire(String name) {
        return Arrays.stream(values())
                .filter(kind -> kind.wireName().equals(name))
                .findFirst()
                .orElseThrow(() -> EventException.invalidField("sensor", "unknown sensor kind '" + name + "'"));
    }
}
