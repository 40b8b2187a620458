package dev.greenloop.ingest.validation;

import dev.greenloop.events.payload.SensorKind;
import dev.greenloop.events.payload.Units;

import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.DoubleUnaryOperator;

/**
 * Converts readings to the canonical unit of their sensor kind ({@link SensorKind#canonicalUnit()}).
 * Accepted spellings are listed here and in the module README; anything else is rejected rather
 * than guessed.
 */
public final class UnitConverter {

    private static final DoubleUnaryOperator SAME = v -> v;

    private static final Map<String, DoubleUnaryOperator> TEMPERATURE = Map.of(
            Units.CELSIUS, SAME, "°C", SAME, "C", SAME, "celsius", SAME,
            "degF", v -> (v - 32) * 5 / 9, "°F", v -> (v - 32) * 5 / 9, "F", v -> (v - 32) * 5 / 9,
            "K", v -> v - 273.15, "kelvin", v -> v - 273.15);
    private static final Map<String, DoubleUnaryOperator> PERCENT = Map.of(
            Units.PERCENT, SAME, "percent", SAME, "pct", SAME, "%RH", SAME,
            "fraction", v -> v * 100, "ratio", v -> v * 100);
    private static final Map<String, DoubleUnaryOperator> CONCENTRATION = Map.of(
            Units.PPM, SAME, "ppmv", SAME, "umol/mol", SAME, "µmol/mol", SAME);
    private static final Map<String, DoubleUnaryOperator> PHOTON_FLUX = Map.of(
            Units.PPFD, SAME, "µmol/m2/s", SAME, "µmol/m²/s", SAME, "umol m-2 s-1", SAME, "µmol m-2 s-1", SAME,
            "umol/m^2/s", SAME);
    private static final Map<String, DoubleUnaryOperator> IRRADIANCE = Map.of(
            Units.WATT_PER_M2, SAME, "W/m²", SAME, "W m-2", SAME, "W/m^2", SAME,
            "J/cm2/h", v -> v * 10_000 / 3_600);
    private static final Map<String, DoubleUnaryOperator> SPEED = Map.of(
            Units.METRE_PER_SECOND, SAME, "km/h", v -> v / 3.6, "mph", v -> v * 0.44704,
            "kn", v -> v * 0.514444, "knots", v -> v * 0.514444);

    private UnitConverter() {
    }

    /** {@code value} in the canonical unit of {@code kind}, or empty if {@code unit} is not one we know for it. */
    public static OptionalDouble toCanonical(SensorKind kind, double value, String unit) {
        DoubleUnaryOperator conversion = conversions(kind.canonicalUnit()).get(unit.trim());
        return conversion == null ? OptionalDouble.empty() : OptionalDouble.of(conversion.applyAsDouble(value));
    }

    /** The accepted spellings for a canonical unit, for error messages. */
    public static String accepted(String canonicalUnit) {
        return String.join(", ", new java.util.TreeSet<>(conversions(canonicalUnit).keySet()));
    }

    /** Converts an actuator state to its unit (percent or degrees Celsius). */
    public static OptionalDouble toCanonical(String canonicalUnit, double value, String unit) {
        DoubleUnaryOperator conversion = conversions(canonicalUnit).get(unit.trim());
        return conversion == null ? OptionalDouble.empty() : OptionalDouble.of(conversion.applyAsDouble(value));
    }

    private static Map<String, DoubleUnaryOperator> conversions(String canonicalUnit) {
        return switch (canonicalUnit) {
            case Units.CELSIUS -> TEMPERATURE;
            case Units.PERCENT -> PERCENT;
            case Units.PPM -> CONCENTRATION;
            case Units.PPFD -> PHOTON_FLUX;
            case Units.WATT_PER_M2 -> IRRADIANCE;
            case Units.METRE_PER_SECOND -> SPEED;
            default -> throw new IllegalStateException("no conversions to " + canonicalUnit);
        };
    }
}
