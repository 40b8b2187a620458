package dev.greenloop.closedloop;

import dev.greenloop.control.policy.ActuatorLimits;
import dev.greenloop.control.policy.ActuatorSetting;
import dev.greenloop.control.policy.Band;
import dev.greenloop.control.policy.Climate;
import dev.greenloop.control.policy.Envelope;
import dev.greenloop.control.policy.Policy;
import dev.greenloop.control.policy.ZoneSettings;
import dev.greenloop.events.SensorRange;
import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.events.payload.SensorKind;
import dev.greenloop.features.FeatureCalculator;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.features.RawReading;
import dev.greenloop.features.Signal;
import dev.greenloop.simulator.GreenhouseSimulator;
import dev.greenloop.simulator.WeatherFile;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One model in the loop, in process, minute by minute: the simulator's greenhouse gives every
 * zone's readings; when a window closes its features are computed by the one feature definition;
 * the forecaster forecasts from them; control's policy and envelope decide on the forecast (or on
 * the measured climate, as control's fallback thermostat does, when there is no forecaster or the
 * forecast is implausible); the commands set the simulated actuators for the time an actuator
 * gateway holds them. The warm-up runs under the simulator's own climate computer, to fill the
 * features' lookback, and is not judged.
 *
 * <p>As control decides: the measured climate and positions are the window's {@code _last}
 * features, the actuators it commanded keep the value and time it gave them (for the rate and
 * dwell rules), and a forecast whose air temperature is implausible or more than
 * {@value #MAX_PREDICTED_CHANGE} °C from the measured one falls back (control's defaults).
 * Deterministic for the same setup and forecaster.
 */
public final class ClosedLoop {

    /** How long a gateway holds a command before the climate computer takes the actuator back. */
    public static final Duration HOLD = Duration.ofMinutes(15);
    /** Control's {@code max-predicted-temperature-change} default. */
    static final double MAX_PREDICTED_CHANGE = 8;
    private static final Duration MINUTE = Duration.ofMinutes(1);

    /**
     * @param zones   each zone's settings (bands and envelope), in order
     * @param start   where the judged minutes begin (the first ends a minute later); the warm-up runs before it
     * @param weather the site's weather, or null for the simulator's synthetic weather
     */
    public record Setup(String greenhouseId, Map<String, ZoneSettings> zones, Instant start, Duration length,
                        Duration warmUp, long seed, WeatherFile weather) {

        public Setup {
            zones = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(zones));
            if (zones.isEmpty()) {
                throw new IllegalArgumentException("a closed-loop run needs at least one zone");
            }
            if (length.compareTo(MINUTE) < 0) {
                throw new IllegalArgumentException("a closed-loop run lasts at least a minute, not " + length);
            }
        }
    }

    private final FeatureSpec spec;
    private final FeatureCalculator calculator;
    private final int[] last = new int[Signal.values().length];

    public ClosedLoop(FeatureSpec spec) {
        this.spec = spec;
        this.calculator = new FeatureCalculator(spec);
        for (Signal s : Signal.values()) {
            last[s.ordinal()] = spec.names().indexOf(s.featurePrefix() + "_last");
        }
    }

    /** The spec the loop computes features with; a forecaster may read only the first of them. */
    public FeatureSpec spec() {
        return spec;
    }

    /** Runs the setup with {@code forecaster}, or with the fallback thermostat alone when it is empty. */
    public Figures run(Setup setup, Optional<Forecaster> forecaster) {
        List<String> zoneIds = List.copyOf(setup.zones().keySet());
        GreenhouseSimulator sim = new GreenhouseSimulator(setup.greenhouseId(), zoneIds, setup.start().minus(setup.warmUp()),
                setup.seed(), 0, setup.weather());
        Map<String, ZoneRun> runs = new LinkedHashMap<>();
        zoneIds.forEach(z -> runs.put(z, new ZoneRun(setup.zones().get(z))));
        Instant end = setup.start().plus(setup.length());
        long lookback = spec.lookback().toMillis();
        double[] usageAtStart = null;
        Counts counts = new Counts();
        while (sim.now().isBefore(end)) {
            List<ReadingsBatch> batches = sim.advance(MINUTE);
            Instant now = sim.now();
            boolean judged = now.isAfter(setup.start());
            if (!now.isBefore(setup.start()) && usageAtStart == null) {
                usageAtStart = usage(sim, zoneIds);
            }
            long closed = spec.windowStart(now.toEpochMilli()) - spec.windowMillis();
            for (ReadingsBatch batch : batches) {
                ZoneRun zone = runs.get(batch.zoneId());
                zone.add(batch, closed - lookback);
                if (!judged) {
                    continue;
                }
                double[] features = calculator.compute(closed, zone.readings);
                decide(sim, batch.zoneId(), zone, now, features, forecaster, counts);
                Band band = zone.settings.isDay(now) ? zone.settings.dayTemperature() : zone.settings.nightTemperature();
                double air = sim.airTemperature(batch.zoneId());
                double off = air < band.low() ? band.low() - air : air > band.high() ? air - band.high() : 0;
                counts.minutes++;
                counts.inBand += off == 0 ? 1 : 0;
                counts.degreeMinutes += off;
            }
        }
        double[] usage = usage(sim, zoneIds);
        double[] from = usageAtStart == null ? usage : usageAtStart;
        return new Figures(forecaster.map(Forecaster::name).orElse("thermostat"), counts.minutes,
                counts.minutes == 0 ? 0 : counts.inBand / (double) counts.minutes, counts.degreeMinutes / 60,
                usage[0] - from[0], usage[1] - from[1], counts.switches, counts.predictive, counts.fallback, counts.violations);
    }

    private void decide(GreenhouseSimulator sim, String zoneId, ZoneRun zone, Instant now, double[] features,
                        Optional<Forecaster> forecaster, Counts counts) {
        ZoneSettings s = zone.settings;
        Climate measured = new Climate(value(features, Signal.AIR_TEMPERATURE), value(features, Signal.RELATIVE_HUMIDITY),
                value(features, Signal.CO2), value(features, Signal.PAR), value(features, Signal.GLOBAL_RADIATION),
                value(features, Signal.OUTSIDE_TEMPERATURE));
        if (measured.airTemperature() == null) {
            return; // control commands nothing without a measured air temperature
        }
        Map<ActuatorKind, ActuatorSetting> current = new EnumMap<>(ActuatorKind.class);
        position(current, s, ActuatorKind.HEATING, value(features, Signal.PIPE_TEMPERATURE));
        position(current, s, ActuatorKind.VENT, value(features, Signal.VENT_OPENING));
        position(current, s, ActuatorKind.SCREEN, value(features, Signal.SCREEN_POSITION));
        current.putAll(zone.commanded);
        Climate climate = measured;
        boolean predictive = false;
        java.util.Set<SensorKind> predicted = java.util.Set.of();
        Map<SensorKind, Policy.Interval> intervals = Map.of();
        if (forecaster.isPresent()) {
            Forecaster.Forecast forecast = forecaster.get().forecastWithIntervals(features);
            Map<SensorKind, Double> f = forecast.values();
            if (usable(f, measured)) {
                // As control: what the model does not forecast is steered on its measured value.
                climate = new Climate(f.getOrDefault(SensorKind.AIR_TEMPERATURE, measured.airTemperature()),
                        f.getOrDefault(SensorKind.RELATIVE_HUMIDITY, measured.relativeHumidity()),
                        f.getOrDefault(SensorKind.CO2, measured.co2()), measured.par(), measured.globalRadiation(),
                        measured.outsideTemperature());
                predicted = f.keySet();
                intervals = forecast.intervals();
                predictive = true;
            }
        }
        if (predictive) {
            counts.predictive++;
        } else {
            counts.fallback++;
        }
        Policy.Result proposals = Policy.propose(s, now, climate, current, predicted, intervals,
                predictive ? "+" + forecaster.get().horizonMinutes() + " min" : null);
        Envelope.Outcome outcome = Envelope.apply(s, now, current, proposals.proposals(), proposals.ventFirst());
        for (var change : outcome.changes()) {
            counts.violations += zone.audit(change.actuator(), change.to(), now);
            sim.command(zoneId, change.actuator(), change.to(), HOLD);
            zone.commanded.put(change.actuator(), new ActuatorSetting(change.to(), now));
            counts.switches++;
        }
    }

    private static boolean usable(Map<SensorKind, Double> forecast, Climate measured) {
        if (forecast.isEmpty()) {
            return false;
        }
        for (Map.Entry<SensorKind, Double> e : forecast.entrySet()) {
            if (e.getValue() == null || !SensorRange.of(e.getKey()).plausible(e.getValue())) {
                return false;
            }
        }
        Double t = forecast.get(SensorKind.AIR_TEMPERATURE);
        return t == null || Math.abs(t - measured.airTemperature()) <= MAX_PREDICTED_CHANGE;
    }

    private static void position(Map<ActuatorKind, ActuatorSetting> current, ZoneSettings s, ActuatorKind kind, Double v) {
        if (v != null) {
            current.put(kind, new ActuatorSetting(s.limits(kind).clamp(v), null));
        }
    }

    private Double value(double[] features, Signal signal) {
        double v = features[last[signal.ordinal()]];
        return Double.isNaN(v) ? null : v;
    }

    private static double[] usage(GreenhouseSimulator sim, List<String> zones) {
        double heating = 0;
        double co2 = 0;
        for (String z : zones) {
            heating += sim.heatingEnergy(z);
            co2 += sim.co2Dosed(z);
        }
        return new double[] {heating, co2};
    }

    private static final class Counts {
        int minutes;
        int inBand;
        double degreeMinutes;
        int switches;
        int predictive;
        int fallback;
        int violations;
    }

    /** One zone's readings in the lookback, and what control commanded it. */
    private static final class ZoneRun {
        final ZoneSettings settings;
        final ArrayDeque<RawReading> readings = new ArrayDeque<>();
        final Map<ActuatorKind, ActuatorSetting> commanded = new EnumMap<>(ActuatorKind.class);
        final Map<ActuatorKind, Double> auditedValue = new HashMap<>();
        final Map<ActuatorKind, Instant> auditedAt = new HashMap<>();

        ZoneRun(ZoneSettings settings) {
            this.settings = settings;
        }

        void add(ReadingsBatch batch, long keepFrom) {
            readings.addAll(RawReading.allOf(batch));
            while (!readings.isEmpty() && readings.peekFirst().epochMillis() < keepFrom) {
                readings.removeFirst();
            }
        }

        /** The envelope rules a command breaks (range, step from the previous command, dwell), checked apart from the envelope. */
        int audit(ActuatorKind kind, double value, Instant at) {
            ActuatorLimits l = settings.limits(kind);
            int broken = value < l.min() - 1e-9 || value > l.max() + 1e-9 ? 1 : 0;
            Double before = auditedValue.put(kind, value);
            Instant when = auditedAt.put(kind, at);
            if (before != null) {
                broken += Math.abs(value - before) > l.maxStep() + 1e-6 ? 1 : 0;
                broken += Duration.between(when, at).compareTo(l.minDwell()) < 0 ? 1 : 0;
            }
            return broken;
        }
    }
}
