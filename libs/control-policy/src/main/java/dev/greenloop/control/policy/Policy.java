package dev.greenloop.control.policy;

import dev.greenloop.events.payload.ActuatorKind;

import java.time.Instant;
import dev.greenloop.events.payload.SensorKind;
import dev.greenloop.events.SensorRange;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The rules that turn a (predicted or measured) climate into actuator proposals. Anticipatory
 * for each quantity given as a prediction: it acts when that quantity is predicted to leave the
 * band, at a margin inside it; reactive (the fallback thermostat's rule) for each quantity given
 * as a measured value, with no margin. A model version may forecast only some targets: the
 * others are steered on their measured values, as in fallback.
 * The band minus margins is the hysteresis: inside it the policy proposes nothing and actuators
 * keep their settings. The rule table is in the module README. Pure; thread-safe.
 */
public final class Policy {

    /** Pipe °C added per °C the temperature is (predicted) below the band. */
    static final double HEAT_GAIN = 8;
    /** Vent % added per °C the temperature is (predicted) above the band. */
    static final double VENT_GAIN = 15;
    /** Fogging % per % RH below the band. */
    static final double FOG_GAIN = 5;
    /** Dosing % per ppm below the band. */
    static final double DOSE_GAIN = 0.25;
    /** Vent opening and pipe increase for dehumidifying. */
    static final double DEHUMIDIFY_VENT = 10;
    static final double DEHUMIDIFY_HEAT = 5;

    private Policy() {
    }

    /** Whether the heating-against-vent conflict is settled in the vent's favour (too warm). */
    public record Result(Map<ActuatorKind, Proposal> proposals, boolean ventFirst) {
    }

    /** The quantities a prediction of every target gives. */
    public static final Set<SensorKind> ALL_PREDICTED = Collections.unmodifiableSet(
            EnumSet.of(SensorKind.AIR_TEMPERATURE, SensorKind.RELATIVE_HUMIDITY, SensorKind.CO2));

    /** A prediction interval of a predicted quantity. */
    public record Interval(double low, double high) {
    }

    /** {@link #propose(ZoneSettings, Instant, Climate, Map, Set, Map, String)} with every target predicted, or none. */
    public static Result propose(ZoneSettings s, Instant now, Climate climate, Map<ActuatorKind, ActuatorSetting> current,
                                 boolean predictive, String horizon) {
        return propose(s, now, climate, current, predictive ? ALL_PREDICTED : Set.of(), horizon);
    }

    /**
     * @param climate   the climate to act on: air temperature, humidity and CO2, each predicted
     *                  or measured, with measured light and outside values
     * @param predicted which of air temperature, humidity and CO2 in {@code climate} are
     *                  predictions (their margins apply); empty for the fallback thermostat. CO2
     *                  is dosed only while some quantity is predicted (a usable prediction): on
     *                  the predicted CO2, or on the measured one when the model does not forecast it
     * @param horizon   how far ahead the prediction is, for the reasons ("+15 min"), or null
     */
    public static Result propose(ZoneSettings s, Instant now, Climate climate, Map<ActuatorKind, ActuatorSetting> current,
                                 Set<SensorKind> predicted, String horizon) {
        return propose(s, now, climate, current, predicted, Map.of(), horizon);
    }

    /**
     * As {@link #propose(ZoneSettings, Instant, Climate, Map, Set, String)}, acting on the
     * pessimistic bound where the crop is at risk: when a predicted air temperature's or
     * humidity's interval reaches past one side of the band (less the margin) and not the other,
     * the rules act on that bound instead of the value ("predicted as high as ..."). An interval
     * past both sides says nothing about which way to act: the value is used. CO2 is acted on by
     * its value.
     *
     * @param intervals prediction intervals of predicted quantities, by quantity (may be empty)
     */
    public static Result propose(ZoneSettings s, Instant now, Climate climate, Map<ActuatorKind, ActuatorSetting> current,
                                 Set<SensorKind> predicted, Map<SensorKind, Interval> intervals, String horizon) {
        Map<ActuatorKind, Proposal> p = new EnumMap<>(ActuatorKind.class);
        boolean day = s.isDay(now);
        boolean predictive = !predicted.isEmpty();
        boolean tp = predicted.contains(SensorKind.AIR_TEMPERATURE);
        boolean hp = predicted.contains(SensorKind.RELATIVE_HUMIDITY);
        boolean cp = predicted.contains(SensorKind.CO2);
        String whenAhead = horizon != null ? " (" + horizon + ")" : "";
        double tm = tp ? s.temperatureMargin() : 0;
        double hm = hp ? s.humidityMargin() : 0;
        double cm = cp ? s.co2Margin() : 0;
        double heating = value(current, s, ActuatorKind.HEATING);
        double vent = value(current, s, ActuatorKind.VENT);
        double fogging = value(current, s, ActuatorKind.FOGGING);

        Band t = day ? s.dayTemperature() : s.nightTemperature();
        boolean cold = false;
        boolean hot = false;
        Judged tj = judged(climate.airTemperature(), SensorKind.AIR_TEMPERATURE, tp, intervals, t, tm);
        Double temp = tj.value();
        if (temp != null) {
            double low = t.low() + tm;
            double high = t.high() - tm;
            String band = (day ? "day" : "night") + " band " + t + " °C";
            String what = tj.what();
            String when = tp ? whenAhead : "";
            if (temp < low) {
                cold = true;
                p.put(ActuatorKind.HEATING, new Proposal(heating + HEAT_GAIN * (low - temp),
                        String.format(Locale.ROOT, "heat: %s %.1f °C%s below %s", what, temp, when, band)));
                p.put(ActuatorKind.VENT, new Proposal(s.limits(ActuatorKind.VENT).min(),
                        String.format(Locale.ROOT, "close vents: %s %.1f °C%s below %s", what, temp, when, band)));
            } else if (temp > high) {
                hot = true;
                p.put(ActuatorKind.VENT, new Proposal(vent + VENT_GAIN * (temp - high),
                        String.format(Locale.ROOT, "vent: %s %.1f °C%s above %s", what, temp, when, band)));
                p.put(ActuatorKind.HEATING, new Proposal(s.limits(ActuatorKind.HEATING).min(),
                        String.format(Locale.ROOT, "stop heating: %s %.1f °C%s above %s", what, temp, when, band)));
            }
        }

        Band h = day ? s.dayHumidity() : s.nightHumidity();
        Judged hj = judged(climate.relativeHumidity(), SensorKind.RELATIVE_HUMIDITY, hp, intervals, h, hm);
        Double rh = hj.value();
        if (rh != null) {
            String band = (day ? "day" : "night") + " band " + h + " %";
            String what = hj.what();
            String when = hp ? whenAhead : "";
            if (rh > h.high() - hm) {
                String reason = String.format(Locale.ROOT, "dehumidify: %s %.0f %% RH%s above %s", what, rh, when, band);
                if (!cold) {
                    double crack = Math.max(p.containsKey(ActuatorKind.VENT) ? p.get(ActuatorKind.VENT).value() : vent,
                            Math.min(vent + DEHUMIDIFY_VENT, DEHUMIDIFY_VENT * 2));
                    p.put(ActuatorKind.VENT, new Proposal(crack, p.containsKey(ActuatorKind.VENT) && hot
                            ? p.get(ActuatorKind.VENT).reason() : reason));
                }
                // Warming dries the air, but only while there is room in the band: above its middle
                // the heat would soon be stopped again for the temperature, and the two rules would
                // drive the heating up and down in turn. Vents alone dehumidify there.
                boolean roomToWarm = temp == null || temp < (t.low() + t.high()) / 2;
                if (!hot && roomToWarm) {
                    double warmer = Math.max(p.containsKey(ActuatorKind.HEATING) ? p.get(ActuatorKind.HEATING).value() : heating,
                            heating + DEHUMIDIFY_HEAT);
                    p.put(ActuatorKind.HEATING, new Proposal(warmer, cold ? p.get(ActuatorKind.HEATING).reason() : reason));
                }
                p.put(ActuatorKind.FOGGING, new Proposal(s.limits(ActuatorKind.FOGGING).min(), "no fogging: " + reason));
            } else if (rh < h.low() + hm && !cold) {
                p.put(ActuatorKind.FOGGING, new Proposal(fogging + FOG_GAIN * (h.low() + hm - rh),
                        String.format(Locale.ROOT, "fog: %s %.0f %% RH%s below %s", what, rh, when, band)));
            } else if (rh > (h.low() + h.high()) / 2 || cold) {
                p.put(ActuatorKind.FOGGING, new Proposal(s.limits(ActuatorKind.FOGGING).min(),
                        String.format(Locale.ROOT, "stop fogging: %s %.0f %% RH%s", what, rh, when)));
            }
        }

        Double co2 = climate.co2();
        boolean lit = climate.lit(s);
        if (!predictive) {
            p.put(ActuatorKind.CO2_DOSING, new Proposal(s.limits(ActuatorKind.CO2_DOSING).min(),
                    "no CO2 dosing without a prediction"));
        } else if (!day || !lit) {
            p.put(ActuatorKind.CO2_DOSING, new Proposal(s.limits(ActuatorKind.CO2_DOSING).min(),
                    "no CO2 dosing: " + (day ? "not enough light" : "night")));
        } else if (co2 != null) {
            Band c = s.dayCo2();
            String what = what(cp);
            String when = cp ? whenAhead : "";
            if (co2 < c.low() + cm) {
                p.put(ActuatorKind.CO2_DOSING, new Proposal(DOSE_GAIN * (c.low() + cm - co2),
                        String.format(Locale.ROOT, "dose CO2: %s %.0f ppm%s below band %s ppm, lit", what, co2, when, c)));
            } else if (co2 > c.high() - cm) {
                p.put(ActuatorKind.CO2_DOSING, new Proposal(s.limits(ActuatorKind.CO2_DOSING).min(),
                        String.format(Locale.ROOT, "stop CO2 dosing: %s %.0f ppm%s above band %s ppm", what, co2, when, c)));
            }
        }

        Double radiation = climate.globalRadiation();
        if (radiation != null) {
            if (radiation >= s.shadeRadiation()) {
                p.put(ActuatorKind.SCREEN, new Proposal(s.shadeScreen(),
                        String.format(Locale.ROOT, "shade: radiation %.0f W/m² from %.0f", radiation, s.shadeRadiation())));
            } else if (!day && climate.outsideTemperature() != null && climate.outsideTemperature() < s.energyScreenBelow()) {
                p.put(ActuatorKind.SCREEN, new Proposal(s.limits(ActuatorKind.SCREEN).max(),
                        String.format(Locale.ROOT, "energy screen: night, outside %.1f °C", climate.outsideTemperature())));
            } else if (radiation < s.shadeRadiation() * 0.8) {
                p.put(ActuatorKind.SCREEN, new Proposal(s.limits(ActuatorKind.SCREEN).min(),
                        String.format(Locale.ROOT, "open screen: radiation %.0f W/m²", radiation)));
            }
        }
        return new Result(p, hot);
    }

    static double value(Map<ActuatorKind, ActuatorSetting> current, ZoneSettings s, ActuatorKind kind) {
        ActuatorSetting setting = current.get(kind);
        return setting != null ? setting.value() : s.limits(kind).min();
    }

    /** The value a rule acts on, and how the reasons name it. */
    private record Judged(Double value, String what) {
    }

    /**
     * The predicted value, or the bound of its interval that reaches past one side of the band
     * less the margin and not the other (the side on which the crop is at risk). An interval with a
     * bound outside the plausible range of its quantity is ignored.
     */
    private static Judged judged(Double value, SensorKind kind, boolean predicted, Map<SensorKind, Interval> intervals,
                                 Band band, double margin) {
        Interval interval = intervals.get(kind);
        SensorRange range = SensorRange.of(kind);
        if (value == null || !predicted || interval == null || !range.plausible(interval.low())
                || !range.plausible(interval.high())) {
            return new Judged(value, what(predicted));
        }
        boolean belowRisk = interval.low() < band.low() + margin;
        boolean aboveRisk = interval.high() > band.high() - margin;
        if (aboveRisk && !belowRisk) {
            return new Judged(interval.high(), "predicted as high as");
        }
        if (belowRisk && !aboveRisk) {
            return new Judged(interval.low(), "predicted as low as");
        }
        return new Judged(value, what(true));
    }

    private static String what(boolean predicted) {
        return predicted ? "predicted" : "measured";
    }
}
