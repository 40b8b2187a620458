package dev.greenloop.features;

import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.SensorKind;

import java.util.Locale;
import java.util.Optional;

/**
 * A signal of the feature spec: one sensor kind, with the rules that mark its readings faulty.
 *
 * <ul>
 *   <li><b>Spike</b>: a reading that differs from the previous good reading of the signal (at most
 *       10 minutes earlier) by more than {@link #maxChangePerMinute()} per minute. Spikes are left
 *       out of every aggregate.</li>
 *   <li><b>Stuck</b>: for signals that always move ({@link #stuckMinutes()} &gt; 0), a reading
 *       equal to every reading of the preceding {@code stuckMinutes}, when there are at least
 *       five of them spanning that long. Stuck readings stay in the aggregates (they may be right)
 *       but flag the window.</li>
 * </ul>
 */
public enum Signal {
    AIR_TEMPERATURE(SensorKind.AIR_TEMPERATURE, Group.CLIMATE, 3, 30),
    RELATIVE_HUMIDITY(SensorKind.RELATIVE_HUMIDITY, Group.CLIMATE, 15, 30),
    CO2(SensorKind.CO2, Group.CLIMATE, 500, 30),
    PAR(SensorKind.PAR, Group.CLIMATE, Double.POSITIVE_INFINITY, 0),
    OUTSIDE_TEMPERATURE(SensorKind.OUTSIDE_TEMPERATURE, Group.WEATHER, 3, 60),
    OUTSIDE_HUMIDITY(SensorKind.OUTSIDE_HUMIDITY, Group.WEATHER, 20, 60),
    GLOBAL_RADIATION(SensorKind.GLOBAL_RADIATION, Group.WEATHER, Double.POSITIVE_INFINITY, 0),
    WIND_SPEED(SensorKind.WIND_SPEED, Group.WEATHER, Double.POSITIVE_INFINITY, 0),
    PIPE_TEMPERATURE(SensorKind.PIPE_TEMPERATURE, Group.HEATING, 10, 0),
    VENT_OPENING(SensorKind.VENT_OPENING, Group.ACTUATORS, Double.POSITIVE_INFINITY, 0),
    SCREEN_POSITION(SensorKind.SCREEN_POSITION, Group.ACTUATORS, Double.POSITIVE_INFINITY, 0),
    LAMPS(SensorKind.LAMPS, Group.ACTUATORS, Double.POSITIVE_INFINITY, 0);

    /**
     * What a signal tells about, for reporting and checking coverage: the zone's own climate, the
     * weather outside, the heating system, and the actuators' positions. A dataset whose rows
     * miss a whole group was cut off from that part of the greenhouse somewhere upstream.
     */
    public enum Group {
        CLIMATE, WEATHER, HEATING, ACTUATORS;

        /** Lower-case name, as in the exported spec and in metrics. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The group's signals, in spec order. */
        public java.util.List<Signal> signals() {
            return java.util.Arrays.stream(Signal.values()).filter(s -> s.group == this).toList();
        }
    }

    private final SensorKind sensor;
    private final Group group;
    private final double maxChangePerMinute;
    private final int stuckMinutes;
    private final String featurePrefix;

    Signal(SensorKind sensor, Group group, double maxChangePerMinute, int stuckMinutes) {
        this.sensor = sensor;
        this.group = group;
        this.maxChangePerMinute = maxChangePerMinute;
        this.stuckMinutes = stuckMinutes;
        this.featurePrefix = name().toLowerCase(Locale.ROOT);
    }

    public SensorKind sensor() {
        return sensor;
    }

    public Group group() {
        return group;
    }

    public double maxChangePerMinute() {
        return maxChangePerMinute;
    }

    /** Minutes of identical values that mark the signal stuck; 0 for signals that may rest. */
    public int stuckMinutes() {
        return stuckMinutes;
    }

    /** Prefix of the signal's feature names, e.g. {@code air_temperature}. */
    public String featurePrefix() {
        return featurePrefix;
    }

    public static Signal of(SensorKind sensor) {
        return values()[sensor.ordinal()];
    }

    /**
     * The signal an actuator state feeds: a vent's, screen's and lamps' reported state is their
     * position. Heating, fogging and CO2 dosing states are not features of v1.
     */
    public static Optional<Signal> of(ActuatorKind actuator) {
        return switch (actuator) {
            case VENT -> Optional.of(VENT_OPENING);
            case SCREEN -> Optional.of(SCREEN_POSITION);
            case LAMPS -> Optional.of(LAMPS);
            default -> Optional.empty();
        };
    }

    static {
        for (Signal s : values()) {
            if (s.sensor.ordinal() != s.ordinal()) {
                throw new IllegalStateException("Signal and SensorKind must list the same kinds in the same order");
            }
        }
    }
}
