package dev.greenloop.events.payload;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.greenloop.events.EventException;

import java.util.Arrays;
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

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static TrainingReason fromWire(String name) {
        return Arrays.stream(values())
                .filter(r -> r.wireName().equals(name))
                .findFirst()
                .orElseThrow(() -> EventException.invalidField("reason", "unknown training reason '" + name + "'"));
    }
}
