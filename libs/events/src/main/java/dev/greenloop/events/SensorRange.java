package dev.greenloop.events;

import dev.greenloop.events.payload.SensorKind;

import java.util.EnumMap;
import java.util.Map;

/**
 * What values of a sensor kind can be, in its canonical unit: ingest checks readings against it,
 * control checks predictions.
 *
 * <ul>
 *   <li>Outside the <b>physical</b> range a value cannot be right (humidity above 105 %, negative
 *       CO2): the reading is rejected.</li>
 *   <li>Outside the <b>plausible</b> range for a greenhouse, or changing faster than
 *       {@code maxChangePerMinute}, the value is possible but suspect (a failing or spiking
 *       sensor): the reading is kept on the quarantine topic, not used; a prediction is not acted on.</li>
 * </ul>
 *
 * The table is documented in ingest's README.
 */
public record SensorRange(double physicalMin, double physicalMax, double plausibleMin, double plausibleMax,
                          double maxChangePerMinute) {

    private static final Map<SensorKind, SensorRange> RANGES = new EnumMap<>(SensorKind.class);

    static {
        RANGES.put(SensorKind.AIR_TEMPERATURE, new SensorRange(-50, 80, -10, 50, 3));
        RANGES.put(SensorKind.RELATIVE_HUMIDITY, new SensorRange(0, 105, 10, 100, 15));
        RANGES.put(SensorKind.CO2, new SensorRange(0, 20_000, 250, 3_000, 500));
        RANGES.put(SensorKind.PAR, new SensorRange(-5, 3_000, 0, 2_500, Double.POSITIVE_INFINITY));
        RANGES.put(SensorKind.OUTSIDE_TEMPERATURE, new SensorRange(-70, 65, -40, 50, 3));
        RANGES.put(SensorKind.OUTSIDE_HUMIDITY, new SensorRange(0, 105, 5, 100, 20));
        RANGES.put(SensorKind.GLOBAL_RADIATION, new SensorRange(-5, 1_600, 0, 1_400, Double.POSITIVE_INFINITY));
        RANGES.put(SensorKind.WIND_SPEED, new SensorRange(0, 100, 0, 40, Double.POSITIVE_INFINITY));
        RANGES.put(SensorKind.PIPE_TEMPERATURE, new SensorRange(-30, 130, 0, 95, 10));
        RANGES.put(SensorKind.VENT_OPENING, new SensorRange(0, 100, 0, 100, Double.POSITIVE_INFINITY));
        RANGES.put(SensorKind.SCREEN_POSITION, new SensorRange(0, 100, 0, 100, Double.POSITIVE_INFINITY));
        RANGES.put(SensorKind.LAMPS, new SensorRange(0, 100, 0, 100, Double.POSITIVE_INFINITY));
    }

    public static SensorRange of(SensorKind kind) {
        SensorRange range = RANGES.get(kind);
        if (range == null) {
            throw new IllegalStateException("no range for sensor kind " + kind);
        }
        return range;
    }

    public boolean physical(double value) {
        return value >= physicalMin && value <= physicalMax;
    }

    public boolean plausible(double value) {
        return value >= plausibleMin && value <= plausibleMax;
    }
}
