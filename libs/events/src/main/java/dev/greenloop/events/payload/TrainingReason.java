package dev.greenloop.events.payload;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.greenloop.events.EventException;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.Locale;

/** Why a training run was asked for. */
public enum TrainingReason {
    /** The nightly schedule. */
    SCHEDULE,
    /** A new dataset is ready. */
    DATASET_READY,
    /** The serving model drifted. */
    DRIFT,
    /** Someone asked for it. */
    MANUAL;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    @JsonValue
    public String wireName() {
        return wireName;
    }

    private static final Map<String, TrainingReason> BY_WIRE_NAME = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(TrainingReason::wireName, Function.identity()));

    @JsonCreator
    public static TrainingReason fromWire(String name) {
        TrainingReason found = name == null ? null : BY_WIRE_NAME.get(name);
        if (found == null) {
            throw EventException.invalidField("reason", "unknown training reason '" + name + "'");
        }
        return found;
    }
}
