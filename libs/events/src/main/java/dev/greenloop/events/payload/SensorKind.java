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

    private final String wireName = name().toLowerCase(Locale.ROOT);

    @JsonValue
    public String wireName() {
        return wireName;
    }

    private static final Map<String, SensorKind> BY_WIRE_NAME = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(SensorKind::wireName, Function.identity()));

    @JsonCreator
    public static SensorKind fromWire(String name) {
        SensorKind found = name == null ? null : BY_WIRE_NAME.get(name);
        if (found == null) {
            throw EventException.invalidField("sensor", "unknown sensor kind '" + name + "'");
        }
        return found;
    }
}
