package dev.greenloop.events.payload;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.greenloop.events.EventException;

import java.util.Arrays;
import java.util.Locale;

/** How control arrived at a command. */
public enum CommandMode {
    /** From a model prediction, inside the safety envelope. */
    PREDICTIVE,
    /** From the reactive thermostat, because no usable prediction was available. */
    FALLBACK;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static CommandMode fromWire(String name) {
        return Arrays.stream(values())
                .filter(m -> m.wireName().equals(name))
                .findFirst()
                .orElseThrow(() -> EventException.invalidField("mode", "unknown command mode '" + name + "'"));
    }
}
