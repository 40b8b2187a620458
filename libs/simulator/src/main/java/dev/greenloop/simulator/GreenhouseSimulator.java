package dev.greenloop.simulator;

import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.ActuatorState;
import dev.greenloop.events.payload.Reading;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.events.payload.SensorKind;
import dev.greenloop.features.RawReading;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.LongPredicate;

/**
 * A greenhouse to drive greenloop with: outside weather, zones whose climate responds to their
 * actuators, a simple climate computer that runs the actuators unless a command overrides it,
 * and sensors with noise and the occasional fault (a stuck value, a spike). Deterministic for a
 * seed; time is simulated, so a week can pass in seconds.
 *
 * <p>Each {@link #advance} returns one readings batch per zone, as the zone's climate computer
 * would send it: its own sensors, the weather station's, and its actuators' positions.
 */
public final class GreenhouseSimulator {

    /** Day and night air temperature setpoints of the built-in climate computer (degC). */
    public static final double DAY_SETPOINT = 21;
    public static final double NIGHT_SETPOINT = 17;

    private final String greenhouseId;
    private final Random random;
    private final Weather weather;
    private final Map<String, ZoneClimate> zones = new LinkedHashMap<>();
    private final Map<String, Map<ActuatorKind, Instant>> overrides = new LinkedHashMap<>();
    private final Map<String, Faults> faults = new LinkedHashMap<>();
    private final double faultsPerDay;
    private Instant now;

    /**
     * @param faultsPerDay expected sensor faults per zone and day (0 for clean data)
     */
    public GreenhouseSimulator(String greenhouseId, List<String> zoneIds, Instant start, long seed, double faultsPerDay) {
        this(greenhouseId, zoneIds, start, seed, faultsPerDay, null);
    }

    /**
     * A greenhouse under a site's own weather: the file's days are replayed from the simulation's
     * first day (the file's first date becomes {@code start}'s, times of day are kept), so a file
     * of any year drives a simulation of today. Its first row must be at or before {@code start}'s
     * time of day, and it must last as long as the simulation runs (the simulator says when it
     * runs out).
     *
     * @param weatherFile the site's weather, or null for the synthetic weather
     */
    public GreenhouseSimulator(String greenhouseId, List<String> zoneIds, Instant start, long seed, double faultsPerDay,
                               WeatherFile weatherFile) {
        this.greenhouseId = greenhouseId;
        this.random = new Random(seed);
        this.weather = weatherFile == null ? new Weather(random) : new Weather(random, weatherFile, shift(weatherFile, start));
        this.faultsPerDay = faultsPerDay;
        this.now = start;
        double size = 1.0;
        for (String zone : zoneIds) {
            zones.put(zone, new ZoneClimate(18 + random.nextDouble(), 75, size));
            overrides.put(zone, new EnumMap<>(ActuatorKind.class));
            faults.put(zone, new Faults());
            size += 0.15;
        }
        weather.step(now, 0);
    }

    /** Simulated time minus the file's: whole days, so that the file's first date falls on {@code start}'s. */
    static Duration shift(WeatherFile file, Instant start) {
        long days = java.time.temporal.ChronoUnit.DAYS.between(file.start().atZone(ZoneOffset.UTC).toLocalDate(),
                start.atZone(ZoneOffset.UTC).toLocalDate());
        Duration shift = Duration.ofDays(days);
        if (file.start().plus(shift).isAfter(start)) {
            throw new WeatherFileException(file.name(), List.of("its first row, " + file.start() + ", is later in its day than"
                    + " the simulation's start, " + start + ": the file must begin at or before "
                    + start.atZone(ZoneOffset.UTC).toLocalTime() + " UTC of its first day"));
        }
        return shift;
    }

    public Instant now() {
        return now;
    }

    public String greenhouseId() {
        return greenhouseId;
    }

    public List<String> zones() {
        return List.copyOf(zones.keySet());
    }

    /** The zone's true air temperature (no sensor noise), for reports. */
    public double airTemperature(String zone) {
        return zones.get(zone).air;
    }

    public double relativeHumidity(String zone) {
        return zones.get(zone).relativeHumidity();
    }

    public double co2(String zone) {
        return zones.get(zone).co2;
    }

    /**
     * Heat the zone's heating pipe has given its air since the start, in the simulator's units
     * (a larger zone takes more for the same rise): what a run's heating costs, to compare runs.
     */
    public double heatingEnergy(String zone) {
        return zones.get(zone).heatingEnergy;
    }

    /** CO2 the zone's dosing has let in since the start, in the simulator's units. */
    public double co2Dosed(String zone) {
        return zones.get(zone).co2Dosed;
    }

    public double position(String zone, ActuatorKind actuator) {
        return zones.get(zone).position.get(actuator);
    }

    /**
     * Sets an actuator of a zone, overriding the climate computer for {@code hold}: what an
     * actuator gateway does with a verified command.
     */
    public void command(String zone, ActuatorKind actuator, double value, Duration hold) {
        ZoneClimate climate = zones.get(zone);
        if (climate == null) {
            throw new IllegalArgumentException("no zone " + zone);
        }
        climate.setpoint.put(actuator, value);
        overrides.get(zone).put(actuator, now.plus(hold));
    }

    /**
     * Runs the next {@code minutes} minutes one at a time and gives each zone's readings events in
     * order, as the features read them: a simulated history for a dataset. The actuator states
     * are kept only in the minutes (counted from 0) that {@code actuatorsAt} accepts, to simulate
     * an upstream loss.
     */
    public Map<String, List<List<RawReading>>> rawEventsByZone(long minutes, LongPredicate actuatorsAt) {
        Map<String, List<List<RawReading>>> events = new LinkedHashMap<>();
        for (long minute = 0; minute < minutes; minute++) {
            for (ReadingsBatch batch : advance(Duration.ofMinutes(1))) {
                List<RawReading> raw = RawReading.allOf(batch);
                // allOf gives the readings first: without actuators, the batch's readings alone.
                events.computeIfAbsent(batch.zoneId(), z -> new ArrayList<>())
                        .add(actuatorsAt.test(minute) ? raw : raw.subList(0, batch.readings().size()));
            }
        }
        return events;
    }

    /** Advances the simulation by {@code step} (in one-minute sub-steps) and reads every zone's sensors. */
    public List<ReadingsBatch> advance(Duration step) {
        double minutes = step.toMillis() / 60_000.0;
        int subSteps = Math.max(1, (int) Math.ceil(minutes));
        for (int i = 0; i < subSteps; i++) {
            now = now.plusMillis(step.toMillis() / subSteps);
            weather.step(now, minutes / subSteps);
            for (Map.Entry<String, ZoneClimate> zone : zones.entrySet()) {
                climateComputer(zone.getKey(), zone.getValue());
                zone.getValue().step(weather, minutes / subSteps);
            }
        }
        List<ReadingsBatch> batches = new ArrayList<>(zones.size());
        for (Map.Entry<String, ZoneClimate> zone : zones.entrySet()) {
            batches.add(read(zone.getKey(), zone.getValue(), minutes));
        }
        return batches;
    }

    private void climateComputer(String zoneId, ZoneClimate zone) {
        boolean day = weather.radiation > 5;
        double target = day ? DAY_SETPOINT : NIGHT_SETPOINT;
        set(zoneId, zone, ActuatorKind.HEATING, Weather.clamp(35 + 9 * (target - zone.air), 20, 85));
        set(zoneId, zone, ActuatorKind.VENT, Weather.clamp((zone.air - (target + 3)) * 18, 0, 100));
        set(zoneId, zone, ActuatorKind.SCREEN, day ? (weather.radiation > 650 ? 45 : 0) : 85);
        set(zoneId, zone, ActuatorKind.CO2_DOSING, day && zone.position.get(ActuatorKind.VENT) < 20 && zone.co2 < 900 ? 60 : 0);
        set(zoneId, zone, ActuatorKind.FOGGING, day && zone.relativeHumidity() < 55 ? 40 : 0);
        set(zoneId, zone, ActuatorKind.LAMPS, 0);
    }

    private void set(String zoneId, ZoneClimate zone, ActuatorKind actuator, double value) {
        Instant until = overrides.get(zoneId).get(actuator);
        if (until == null || now.isAfter(until)) {
            zone.setpoint.put(actuator, value);
        }
    }

    private ReadingsBatch read(String zoneId, ZoneClimate zone, double minutes) {
        Faults f = faults.get(zoneId);
        f.maybeStart(random, faultsPerDay, minutes, now);
        List<Reading> readings = new ArrayList<>();
        readings.add(sensor(f, SensorKind.AIR_TEMPERATURE, zone.air, 0.05));
        readings.add(sensor(f, SensorKind.RELATIVE_HUMIDITY, zone.relativeHumidity(), 0.3));
        readings.add(sensor(f, SensorKind.CO2, zone.co2, 3));
        readings.add(sensor(f, SensorKind.PAR, zone.par(weather), 4));
        readings.add(sensor(f, SensorKind.OUTSIDE_TEMPERATURE, weather.temperature, 0.1));
        readings.add(sensor(f, SensorKind.OUTSIDE_HUMIDITY, weather.humidity, 0.5));
        readings.add(sensor(f, SensorKind.GLOBAL_RADIATION, weather.radiation, 3));
        readings.add(sensor(f, SensorKind.WIND_SPEED, weather.windSpeed, 0.2));
        readings.add(sensor(f, SensorKind.PIPE_TEMPERATURE, zone.pipe, 0.2));
        List<ActuatorState> actuators = new ArrayList<>();
        for (ActuatorKind kind : ActuatorKind.values()) {
            double v = Math.round(zone.position.get(kind) * 10) / 10.0;
            actuators.add(new ActuatorState(kind, v, kind.unit(), now));
        }
        return new ReadingsBatch(greenhouseId, zoneId, "climate-" + zoneId, readings, actuators);
    }

    private Reading sensor(Faults f, SensorKind kind, double truth, double noise) {
        double value = truth + random.nextGaussian() * noise;
        value = f.apply(kind, value, random);
        // A faulty sensor still reads within what it can measure: a downward CO2 spike at night stops at 0 ppm.
        if (kind == SensorKind.PAR || kind == SensorKind.GLOBAL_RADIATION || kind == SensorKind.WIND_SPEED
                || kind == SensorKind.CO2) {
            value = Math.max(0, value);
        }
        if (kind == SensorKind.RELATIVE_HUMIDITY || kind == SensorKind.OUTSIDE_HUMIDITY) {
            value = Weather.clamp(value, 0, 100);
        }
        return new Reading(kind, Math.round(value * 100) / 100.0, kind.canonicalUnit(), now);
    }

    /** A zone's sensor faults: a stuck sensor for a while, or a single spike. */
    private static final class Faults {
        private SensorKind stuck;
        private double stuckValue = Double.NaN;
        private Instant stuckUntil = Instant.MIN;
        private SensorKind spike;

        /** Called once per reading round: ends a finished fault, maybe starts a new one. */
        void maybeStart(Random random, double perDay, double minutes, Instant now) {
            spike = null;
            if (stuck != null && now.isAfter(stuckUntil)) {
                stuck = null;
                stuckValue = Double.NaN;
            }
            if (perDay <= 0 || stuck != null || random.nextDouble() > perDay * minutes / 1440) {
                return;
            }
            SensorKind[] candidates = {SensorKind.AIR_TEMPERATURE, SensorKind.RELATIVE_HUMIDITY, SensorKind.CO2};
            SensorKind kind = candidates[random.nextInt(candidates.length)];
            if (random.nextBoolean()) {
                stuck = kind;
                stuckUntil = now.plus(Duration.ofMinutes(35 + random.nextInt(30)));
            } else {
                spike = kind;
            }
        }

        double apply(SensorKind kind, double value, Random random) {
            if (kind == stuck) {
                if (Double.isNaN(stuckValue)) {
                    stuckValue = value;
                }
                return stuckValue;
            }
            if (kind == spike) {
                return value + (kind == SensorKind.CO2 ? 600 : 12) * (random.nextBoolean() ? 1 : -1);
            }
            return value;
        }
    }
}
