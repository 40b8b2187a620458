package dev.greenloop.simulator;

import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.features.Psychrometrics;

import java.util.EnumMap;
import java.util.Map;

/**
 * The climate of one greenhouse zone, stepped in minutes. Lumped heat, water vapour and CO2
 * balances:
 * <ul>
 *   <li>heat: sun through the screen, loss through the cover and the vents (more with wind), the
 *       heating pipe;</li>
 *   <li>water: the crop transpires with light and vapour pressure deficit, vents exchange with
 *       outside air, fogging adds;</li>
 *   <li>CO2: the crop takes it up with light, dosing adds, vents exchange with outside air.</li>
 * </ul>
 * The actuators move towards their setpoints at realistic rates (a heating loop takes minutes).
 */
final class ZoneClimate {

    static final double OUTSIDE_CO2 = 420;

    double air;
    double absoluteHumidity;
    double co2;
    double pipe;
    final Map<ActuatorKind, Double> position = new EnumMap<>(ActuatorKind.class);
    final Map<ActuatorKind, Double> setpoint = new EnumMap<>(ActuatorKind.class);
    private final double size;
    /** Heat the heating pipe gave the zone's air so far, and CO2 dosed so far (simulator's units, zone size counted). */
    double heatingEnergy;
    double co2Dosed;

    ZoneClimate(double air, double relativeHumidity, double size) {
        this.air = air;
        this.absoluteHumidity = Psychrometrics.absoluteHumidityGm3(air, relativeHumidity);
        this.co2 = 600;
        this.pipe = 35;
        this.size = size;
        for (ActuatorKind kind : ActuatorKind.values()) {
            position.put(kind, kind == ActuatorKind.HEATING ? 35.0 : 0.0);
            setpoint.put(kind, kind == ActuatorKind.HEATING ? 35.0 : 0.0);
        }
    }

    double relativeHumidity() {
        double saturated = Psychrometrics.absoluteHumidityGm3(air, 100);
        return Weather.clamp(100 * absoluteHumidity / saturated, 1, 100);
    }

    /** Photosynthetic light at the crop: sun through the screen plus lamps (umol/m2/s). */
    double par(Weather outside) {
        return outside.radiation * 2.1 * (1 - 0.65 * position.get(ActuatorKind.SCREEN) / 100)
                + position.get(ActuatorKind.LAMPS) * 2.0;
    }

    void step(Weather outside, double minutes) {
        moveActuators(minutes);
        double vent = position.get(ActuatorKind.VENT) / 100;
        double screen = position.get(ActuatorKind.SCREEN) / 100;
        double lamps = position.get(ActuatorKind.LAMPS) / 100;
        double exchange = (0.02 + 0.5 * vent * (1 + outside.windSpeed / 10)) * minutes / 10;

        double sun = outside.radiation * (1 - 0.65 * screen);
        double heatIn = 0.010 * sun + 0.045 * (pipe - air) + 1.6 * lamps;
        double heatOut = (0.030 + 0.45 * vent * (1 + outside.windSpeed / 8)) * (air - outside.temperature);
        air += (heatIn - heatOut) * minutes / (4.0 * size);
        heatingEnergy += Math.max(0, 0.045 * (pipe - air)) * minutes * size;

        double light = sun * 2.0 + lamps * 200;
        double vpd = Psychrometrics.vapourPressureDeficitKpa(air, relativeHumidity());
        double transpiration = (0.0006 * light + 0.05) * Math.max(0.1, vpd) * minutes;
        double fog = position.get(ActuatorKind.FOGGING) / 100 * 0.15 * minutes;
        double outsideAh = Psychrometrics.absoluteHumidityGm3(outside.temperature, outside.humidity);
        absoluteHumidity += transpiration + fog - Math.min(1, exchange) * (absoluteHumidity - outsideAh);
        absoluteHumidity = Math.max(0.5, Math.min(absoluteHumidity, Psychrometrics.absoluteHumidityGm3(air, 100)));

        double uptake = 0.08 * light / (light + 300) * co2 / (co2 + 300) * minutes * 10;
        double dosing = position.get(ActuatorKind.CO2_DOSING) / 100 * 12 * minutes;
        co2Dosed += dosing * size;
        co2 += dosing - uptake - Math.min(1, exchange) * (co2 - outside.co2);
        co2 = Math.max(250, co2);
    }

    private void moveActuators(double minutes) {
        for (ActuatorKind kind : ActuatorKind.values()) {
            double current = position.get(kind);
            double target = setpoint.get(kind);
            double rate = switch (kind) {
                case HEATING -> 2.0;
                case VENT, SCREEN -> 10.0;
                default -> 100.0;
            };
            double step = Math.max(-rate * minutes, Math.min(rate * minutes, target - current));
            position.put(kind, current + step);
        }
        // The pipe water follows the heating loop's setpoint with a few minutes' lag.
        pipe += (position.get(ActuatorKind.HEATING) - pipe) * Math.min(1, minutes / 6);
    }
}
