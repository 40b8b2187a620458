package dev.greenloop.features;

import dev.greenloop.events.payload.ActuatorState;
import dev.greenloop.events.payload.Reading;
import dev.greenloop.events.payload.ReadingsBatch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One value of one signal at one time: the input of every feature computation. Two readings with
 * the same signal and timestamp are the same reading.
 */
public record RawReading(Signal signal, long epochMillis, double value) implements Comparable<RawReading> {

    public RawReading {
        Objects.requireNonNull(signal, "signal");
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("reading value must be finite");
        }
    }

    public static RawReading of(Reading reading) {
        return new RawReading(Signal.of(reading.sensor()), reading.timestamp().toEpochMilli(), reading.value());
    }

    public static Optional<RawReading> of(ActuatorState state) {
        return Signal.of(state.actuator()).map(s -> new RawReading(s, state.timestamp().toEpochMilli(), state.value()));
    }

    /** The signals of a batch: its readings, then the actuator states that are positions. */
    public static List<RawReading> allOf(ReadingsBatch batch) {
        List<RawReading> out = new ArrayList<>(batch.size());
        for (Reading r : batch.readings()) {
            out.add(of(r));
        }
        for (ActuatorState a : batch.actuators()) {
            of(a).ifPresent(out::add);
        }
        return out;
    }

    public Instant timestamp() {
        return Instant.ofEpochMilli(epochMillis);
    }

    /** By signal, then time. */
    @Override
    public int compareTo(RawReading other) {
        int bySignal = Integer.compare(signal.ordinal(), other.signal.ordinal());
        return bySignal != 0 ? bySignal : Long.compare(epochMillis, other.epochMillis);
    }
}
