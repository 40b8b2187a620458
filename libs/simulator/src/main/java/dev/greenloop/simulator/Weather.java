package dev.greenloop.simulator;

import java.util.Random;

/**
 * Outside weather: a daily temperature cycle with slow weather fronts, humidity that falls as it
 * warms, solar radiation on a clear-sky curve dimmed by passing clouds, and gusty wind.
 * Deterministic for a seed. Or, given a {@link WeatherFile}, a site's own weather, its days
 * replayed from the simulation's first day ({@code shift}: simulated time minus the file's).
 */
final class Weather {

    private final Random random;
    private final WeatherFile file;
    private final java.time.Duration shift;
    private double front;
    private double cloud = 0.2;
    private double wind = 3;

    double temperature;
    double humidity;
    double radiation;
    double windSpeed;
    double co2 = ZoneClimate.OUTSIDE_CO2;

    Weather(Random random) {
        this(random, null, java.time.Duration.ZERO);
    }

    Weather(Random random, WeatherFile file, java.time.Duration shift) {
        this.random = random;
        this.file = file;
        this.shift = shift;
    }

    /** Advances to {@code at}, by {@code minutes}. */
    void step(java.time.Instant at, double minutes) {
        if (file != null) {
            WeatherFile.Sample s = file.at(at.minus(shift));
            temperature = s.temperature();
            humidity = s.humidity();
            radiation = s.radiation();
            windSpeed = s.windSpeed();
            co2 = s.co2();
            return;
        }
        java.time.ZonedDateTime utc = at.atZone(java.time.ZoneOffset.UTC);
        double hourOfDay = utc.getHour() + utc.getMinute() / 60.0 + utc.getSecond() / 3600.0;
        double season = Math.cos(2 * Math.PI * (utc.getDayOfYear() - 200) / 365.0);
        front += (-front / 2_000.0) * minutes + random.nextGaussian() * 0.05 * Math.sqrt(minutes);
        cloud = clamp(cloud + (0.3 - cloud) * minutes / 600 + random.nextGaussian() * 0.03 * Math.sqrt(minutes), 0, 1);
        wind = clamp(wind + (4 - wind) * minutes / 120 + random.nextGaussian() * 0.4 * Math.sqrt(minutes), 0, 25);

        temperature = 11 + 6 * season + 6 * Math.sin(2 * Math.PI * (hourOfDay - 9) / 24) + front;
        humidity = clamp(85 - 2.2 * (temperature - 10) + random.nextGaussian() * 0.5, 25, 100);
        double sun = Math.sin(Math.PI * (hourOfDay - 6) / 12);
        radiation = sun <= 0 ? 0 : (650 + 200 * season) * sun * (1 - 0.75 * cloud);
        windSpeed = wind;
    }

    static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
