package dev.greenloop.simulator;

import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A site's outside weather from a CSV file, in place of the simulator's synthetic weather.
 *
 * <p>The format (local/README.md): a header line, then one row per observation in time order.
 * <pre>
 * time,outside_temperature,relative_humidity,global_radiation,wind_speed,co2
 * 2026-06-01T00:00:00Z,14.2,88,0,3.1,421
 * </pre>
 * {@code time} is an RFC 3339 instant with its offset; temperature in °C, relative humidity in %,
 * global radiation in W/m², wind speed in m/s, and the optional {@code co2} in ppm (outside air;
 * 420 without the column). Columns may come in any order; no other column is allowed, so a
 * misspelt one is not silently ignored. Between two rows the weather is interpolated linearly;
 * two rows may be at most {@link #MAX_GAP} apart. Every bad row is reported with its line number
 * and why, in one error.
 */
public final class WeatherFile {

    public static final String TIME = "time";
    public static final String TEMPERATURE = "outside_temperature";
    public static final String HUMIDITY = "relative_humidity";
    public static final String RADIATION = "global_radiation";
    public static final String WIND = "wind_speed";
    public static final String CO2 = "co2";
    public static final List<String> REQUIRED = List.of(TIME, TEMPERATURE, HUMIDITY, RADIATION, WIND);
    /** The longest stretch between two rows the simulator will bridge by interpolation. */
    public static final Duration MAX_GAP = Duration.ofHours(3);
    /** Problems listed in one error at most; the count of the rest is given. */
    static final int MAX_PROBLEMS = 20;

    /** What a column may hold: the physically possible, not the usual. */
    private record Range(String unit, double min, double max) {
    }

    private static final Map<String, Range> RANGES = Map.of(
            TEMPERATURE, new Range("°C", -60, 60),
            HUMIDITY, new Range("%", 0, 100),
            RADIATION, new Range("W/m²", 0, 1500),
            WIND, new Range("m/s", 0, 75),
            CO2, new Range("ppm", 150, 5000));

    /** One observation: seconds since the epoch and the values. */
    record Row(long epochSecond, double temperature, double humidity, double radiation, double wind, double co2) {
    }

    /** The weather at one instant. */
    public record Sample(double temperature, double humidity, double radiation, double windSpeed, double co2) {
    }

    private final String name;
    private final List<Row> rows;

    private WeatherFile(String name, List<Row> rows) {
        this.name = name;
        this.rows = rows;
    }

    /** Reads a weather file (UTF-8, a byte-order mark is allowed). */
    public static WeatherFile read(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(file.toString(), reader);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the weather file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses weather CSV text; {@code name} names it in errors. */
    public static WeatherFile parse(String name, String text) {
        try {
            return parse(name, new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static WeatherFile parse(String name, Reader reader) throws IOException {
        List<String> problems = new ArrayList<>();
        List<Row> rows = new ArrayList<>();
        try (CSVParser csv = ClimateCsv.parser(reader)) {
            List<String> header = csv.getHeaderNames().stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
            if (header.isEmpty()) {
                throw new WeatherFileException(name, List.of("line 1: the file is empty; its first line must be the header "
                        + String.join(",", REQUIRED) + "[," + CO2 + "]"));
            }
            Set<String> known = new HashSet<>(REQUIRED);
            known.add(CO2);
            for (String column : header) {
                if (!known.contains(column)) {
                    problems.add("line 1: unknown column '" + column + "' (the columns are " + String.join(", ", REQUIRED)
                            + " and optionally " + CO2 + ")");
                }
            }
            for (String column : REQUIRED) {
                if (!header.contains(column)) {
                    problems.add("line 1: the column '" + column + "' is missing");
                }
            }
            if (!problems.isEmpty()) {
                throw new WeatherFileException(name, problems);
            }
            boolean hasCo2 = header.contains(CO2);
            Instant previous = null;
            long previousLine = 0;
            for (CSVRecord record : csv) {
                long line = csv.getCurrentLineNumber();
                List<String> rowProblems = new ArrayList<>();
                if (record.size() != header.size()) {
                    rowProblems.add("line " + line + ": " + record.size() + " fields, the header has " + header.size());
                } else {
                    Instant time = time(record.get(header.indexOf(TIME)), line, rowProblems);
                    double t = value(record, header, TEMPERATURE, line, rowProblems);
                    double h = value(record, header, HUMIDITY, line, rowProblems);
                    double r = value(record, header, RADIATION, line, rowProblems);
                    double w = value(record, header, WIND, line, rowProblems);
                    double c = hasCo2 ? value(record, header, CO2, line, rowProblems) : ZoneClimate.OUTSIDE_CO2;
                    if (time != null && previous != null) {
                        if (!time.isAfter(previous)) {
                            rowProblems.add("line " + line + ": time " + time + " is not after line " + previousLine + "'s "
                                    + previous + " (rows must be in time order, without repeats)");
                        } else if (Duration.between(previous, time).compareTo(MAX_GAP) > 0) {
                            rowProblems.add("line " + line + ": " + Duration.between(previous, time).toMinutes()
                                    + " minutes after line " + previousLine + " (at most " + MAX_GAP.toHours() + " h between rows)");
                        }
                    }
                    if (rowProblems.isEmpty()) {
                        rows.add(new Row(time.getEpochSecond(), t, h, r, w, c));
                        previous = time;
                        previousLine = line;
                    }
                }
                problems.addAll(rowProblems);
            }
        } catch (IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException e) {
            if (e instanceof WeatherFileException w) {
                throw w;
            }
            // Commons CSV: a duplicate header name, an unclosed quote.
            throw new WeatherFileException(name, List.of(e.getMessage()));
        }
        if (problems.size() > MAX_PROBLEMS) {
            int more = problems.size() - MAX_PROBLEMS;
            problems = new ArrayList<>(problems.subList(0, MAX_PROBLEMS));
            problems.add("and " + more + " more");
        }
        if (!problems.isEmpty()) {
            throw new WeatherFileException(name, problems);
        }
        if (rows.size() < 2) {
            throw new WeatherFileException(name, List.of("it has " + rows.size() + " row(s); at least two are needed to span any time"));
        }
        return new WeatherFile(name, List.copyOf(rows));
    }

    private static Instant time(String text, long line, List<String> problems) {
        Optional<Instant> time = ClimateCsv.instant(text);
        if (time.isEmpty()) {
            problems.add("line " + line + ": time '" + clip(text) + "' " + ClimateCsv.NOT_AN_INSTANT);
        }
        return time.orElse(null);
    }

    private static double value(CSVRecord record, List<String> header, String column, long line, List<String> problems) {
        String text = record.get(header.indexOf(column));
        Range range = RANGES.get(column);
        double v;
        try {
            v = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            problems.add("line " + line + ": " + column + " '" + clip(text) + "' is not a number");
            return Double.NaN;
        }
        if (!Double.isFinite(v) || v < range.min() || v > range.max()) {
            problems.add("line " + line + ": " + column + " " + clip(text) + " is outside " + fmt(range.min()) + " to "
                    + fmt(range.max()) + " " + range.unit());
        }
        return v;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static String clip(String text) {
        return ClimateCsv.clip(text);
    }

    public String name() {
        return name;
    }

    public Instant start() {
        return Instant.ofEpochSecond(rows.get(0).epochSecond());
    }

    public Instant end() {
        return Instant.ofEpochSecond(rows.get(rows.size() - 1).epochSecond());
    }

    public int rows() {
        return rows.size();
    }

    /** The weather at {@code at}, interpolated between the rows around it. */
    public Sample at(Instant at) {
        double s = at.getEpochSecond() + at.getNano() / 1e9;
        if (s < rows.get(0).epochSecond() || s > rows.get(rows.size() - 1).epochSecond()) {
            throw new IllegalStateException("The weather file " + name + " covers " + start() + " to " + end()
                    + "; the simulation asked for " + at);
        }
        int lo = 0;
        int hi = rows.size() - 1;
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (rows.get(mid).epochSecond() <= s) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Row a = rows.get(lo);
        Row b = rows.get(hi);
        double f = b.epochSecond() == a.epochSecond() ? 0 : (s - a.epochSecond()) / (b.epochSecond() - a.epochSecond());
        return new Sample(lerp(a.temperature(), b.temperature(), f), lerp(a.humidity(), b.humidity(), f),
                lerp(a.radiation(), b.radiation(), f), lerp(a.wind(), b.wind(), f), lerp(a.co2(), b.co2(), f));
    }

    private static double lerp(double a, double b, double f) {
        return a + (b - a) * f;
    }
}
