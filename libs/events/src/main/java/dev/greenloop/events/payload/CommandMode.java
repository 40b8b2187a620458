package dev.greenloop.events.payload;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.greenloop.events.EventException;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.Locale;

/** How control arrived at a command. */
public enum CommandMode {
    /** From a model prediction, inside the safety envelope. */
    PREDICTIVE,
    /** From the reactive thermostat, because no usable prediction was available. */
    FALLBACK;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    @JsonValue
    public String wireName() {
        return wireName;
    }

    private static final Map<String, CommandMode> BY_WIRE_NAME = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(CommandMode::wireName, Function.identity()));

    @JsonCreator
    public static CommandMode fromWire(String name) {
        CommandMode found = name == null ? null : BY_WIRE_NAME.get(name);
        if (found == null) {
            throw EventException.invalidField("mode", "unknown command mode '" + name + "'");
        }
        return found;
    }
}
