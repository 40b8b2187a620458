package dev.greenloop.control.policy;

import dev.greenloop.events.payload.ActuatorKind;

import java.time.Duration;
import java.time.ZoneId;
import java.util.EnumMap;
import java.util.Map;

/**
 * A zone's climate targets and actuator limits. {@link #defaults()} are sane for a tomato or
 * cucumber house; a zone overrides any of them in MongoDB ({@code control_zones}).
 *
 * @param margin       how far inside the band control starts acting on a prediction: per quantity,
 *                     °C, % RH and ppm
 * @param dayStartHour local hour the day bands start (inclusive); night bands before and after
 * @param lightPar     PAR (µmol/m²/s) from which the zone counts as lit (CO2 dosing pays off)
 * @param lightRadiation global radiation (W/m²) from which the zone counts as lit
 * @param shadeRadiation global radiation (W/m²) from which the shade screen closes
 * @param shadeScreen  screen position when shading (%)
 * @param energyScreenBelow outside temperature (°C) below which the screen closes at night
 * @param co2MaxVent   CO2 dosing only while vents are at most this open (%)
 * @param fogMaxVent   fogging only while vents are at most this open (%)
 * @param heatVentPipe with the pipe above this (°C), vents stay at most {@code heatVentMaxVent} open
 * @param heatVentMaxVent see {@code heatVentPipe}
 */
public record ZoneSettings(Band dayTemperature, Band nightTemperature, Band dayHumidity, Band nightHumidity, Band dayCo2,
                           double temperatureMargin, double humidityMargin, double co2Margin,
                           int dayStartHour, int dayEndHour, ZoneId timezone,
                           double lightPar, double lightRadiation, double shadeRadiation, double shadeScreen,
                           double energyScreenBelow, double co2MaxVent, double fogMaxVent, double heatVentPipe,
                           double heatVentMaxVent, Map<ActuatorKind, ActuatorLimits> actuators) {

    public ZoneSettings {
        if (dayStartHour < 0 || dayStartHour > 23 || dayEndHour < 1 || dayEndHour > 24 || dayStartHour >= dayEndHour) {
            throw new IllegalArgumentException("day hours " + dayStartHour + "–" + dayEndHour + " are not 0 ≤ start < end ≤ 24");
        }
        if (temperatureMargin < 0 || humidityMargin < 0 || co2Margin < 0) {
            throw new IllegalArgumentException("margins must not be negative");
        }
        actuators = Map.copyOf(actuators);
        for (ActuatorKind kind : ActuatorKind.values()) {
            if (kind != ActuatorKind.LAMPS && !actuators.containsKey(kind)) {
                throw new IllegalArgumentException("no limits for " + kind.wireName());
            }
        }
    }

    public ActuatorLimits limits(ActuatorKind kind) {
        return actuators.get(kind);
    }

    public static ZoneSettings defaults() {
        Map<ActuatorKind, ActuatorLimits> a = new EnumMap<>(ActuatorKind.class);
        a.put(ActuatorKind.HEATING, new ActuatorLimits(20, 75, 10, Duration.ofMinutes(5), 2));
        a.put(ActuatorKind.VENT, new ActuatorLimits(0, 100, 20, Duration.ofMinutes(5), 5));
        a.put(ActuatorKind.SCREEN, new ActuatorLimits(0, 100, 50, Duration.ofMinutes(10), 10));
        a.put(ActuatorKind.FOGGING, new ActuatorLimits(0, 100, 100, Duration.ofMinutes(5), 10));
        a.put(ActuatorKind.CO2_DOSING, new ActuatorLimits(0, 100, 100, Duration.ofMinutes(5), 10));
        return new ZoneSettings(new Band(20, 26), new Band(16, 20), new Band(60, 85), new Band(65, 88), new Band(600, 1000),
                0.5, 3, 50, 6, 20, ZoneId.of("UTC"), 100, 50, 650, 60, 10, 20, 50, 45, 30, a);
    }

    /** The actuators control drives, in the order it decides them. */
    public static final ActuatorKind[] DRIVEN = {ActuatorKind.HEATING, ActuatorKind.VENT, ActuatorKind.FOGGING,
            ActuatorKind.CO2_DOSING, ActuatorKind.SCREEN};

    public boolean isDay(java.time.Instant now) {
        int hour = now.atZone(timezone).getHour();
        return hour >= dayStartHour && hour < dayEndHour;
    }
}
