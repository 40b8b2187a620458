package dev.greenloop.bench.forecast;

import dev.greenloop.datasets.FeatureTable;
import dev.greenloop.features.FeatureCalculator;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.features.Lateness;
import dev.greenloop.features.OfflineFeatures;
import dev.greenloop.features.RawReading;
import dev.greenloop.simulator.GreenhouseSimulator;
import dev.greenloop.simulator.WeatherFile;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Writes simulated days as the feature tables preprocess writes (libs/features offline, Parquet,
 * one file per day, the current feature spec), into {@code bench.out}:
 * {@code <day>.parquet}. The simulator's greenhouse has {@code bench.zones} zones, one reading
 * round a minute and {@code bench.faults} sensor faults a day; its weather is synthetic, or the
 * file {@code bench.weather} (local/README.md's format), which must cover the days and 30 minutes
 * after them (the last windows' targets).
 *
 * <p>{@code -Dbench.days=7 -Dbench.seed=42 -Dbench.zones=2 -Dbench.faults=1
 * -Dbench.start=2026-06-01 -Dbench.weather=FILE -Dbench.out=DIR}; with a weather file the start
 * defaults to the file's first day.
 */
public final class SimulatedDataset {

    private SimulatedDataset() {
    }

    public static void main(String[] args) throws Exception {
        int days = Integer.getInteger("bench.days", 7);
        long seed = Long.getLong("bench.seed", 42);
        int zones = Integer.getInteger("bench.zones", 2);
        double faults = Double.parseDouble(System.getProperty("bench.faults", "1"));
        String weatherPath = System.getProperty("bench.weather");
        WeatherFile weather = weatherPath == null || weatherPath.isBlank() ? null : WeatherFile.read(java.nio.file.Path.of(weatherPath));
        Instant start = System.getProperty("bench.start") != null
                ? LocalDate.parse(System.getProperty("bench.start")).atStartOfDay(ZoneOffset.UTC).toInstant()
                : weather != null ? weather.start() : Instant.parse("2026-06-01T00:00:00Z");
        java.nio.file.Path out = java.nio.file.Path.of(System.getProperty("bench.out", "target/forecast-quality")).toAbsolutePath();
        Files.createDirectories(out);

        List<String> zoneIds = IntStream.rangeClosed(1, zones).mapToObj(z -> "z" + z).toList();
        GreenhouseSimulator sim = new GreenhouseSimulator("gh-bench", zoneIds, start, seed, faults, weather);
        Map<String, List<List<RawReading>>> events = sim.rawEventsByZone(days * 1440L + 30, minute -> true);
        FeatureSpec spec = FeatureSpec.CURRENT;
        OfflineFeatures offline = new OfflineFeatures(new FeatureCalculator(spec), new Lateness(spec, Duration.ofMinutes(2)));
        Map<String, List<RawReading>> counted = new LinkedHashMap<>();
        events.forEach((zone, e) -> counted.put(zone, offline.counted(e)));
        Configuration conf = new Configuration();
        LocalDate first = start.atZone(ZoneOffset.UTC).toLocalDate();
        long rows = 0;
        for (int d = 0; d < days; d++) {
            LocalDate day = first.plusDays(d);
            long dayStart = day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            List<FeatureTable.ZoneRows> tables = new ArrayList<>();
            counted.forEach((zone, readings) -> tables.add(new FeatureTable.ZoneRows(zone,
                    offline.table(readings, dayStart, dayStart + 86_400_000L, spec.defaultHorizonMinutes()))));
            java.nio.file.Path file = out.resolve(day + ".parquet");
            Files.deleteIfExists(file);
            rows += FeatureTable.write(new Path(file.toUri()), conf, spec, spec.defaultHorizonMinutes(), "gh-bench", tables).rows();
        }
        System.out.printf("Wrote %d rows of feature spec %s, %d day(s) from %s, %d zone(s), seed %d, %s weather, to %s%n",
                rows, spec.version(), days, first, zones, seed, weather == null ? "synthetic" : weatherPath, out);
    }
}
