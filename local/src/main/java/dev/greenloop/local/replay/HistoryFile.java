package dev.greenloop.local.replay;

import dev.greenloop.events.EventException;
import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.ActuatorState;
import dev.greenloop.events.payload.Reading;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.events.payload.SensorKind;
import dev.greenloop.simulator.ClimateCsv;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A climate computer's history as CSV, one row per zone and time, a column per sensor or
 * actuator (local/README.md, "History from a file"):
 * <pre>
 * time,zone,air_temperature,relative_humidity,co2,heating,vent
 * 2025-06-10T00:00:00Z,zone-a,18.2,81,455,42,0
 * </pre>
 * {@code time} is an RFC 3339 instant with its offset; a sensor column is named as the contract
 * names the sensor ({@code air_temperature}, {@code outside_temperature}, ...) and holds values
 * in its canonical unit; an actuator column ({@code heating}, {@code vent}, ...) holds its
 * position ({@code actuator:lamps} for the lamps, whose sensor is {@code lamps}). An empty cell is no reading. A bad header stops everything
 * ({@link HistoryFileException}); a bad row is reported with its line number and reason and
 * skipped, and the rows after it are read.
 */
public final class HistoryFile {

    public static final String TIME = "time";
    public static final String ZONE = "zone";
    /** Names an actuator whose name is also a sensor's: {@code actuator:lamps} is the lamps' position, {@code lamps} their sensor. */
    public static final String ACTUATOR_PREFIX = "actuator:";

    /** One usable row: its line, where it starts in the file (characters), and what it carries. */
    public record Row(long line, long position, String zone, Instant time, List<Reading> readings, List<ActuatorState> actuators) {

        public int items() {
            return readings.size() + actuators.size();
        }
    }

    /** A row that cannot be sent, and why; {@code line} is a CSV file's line or a Parquet file's row ({@code unit}). */
    public record BadRow(long line, String reason, String unit) {

        public BadRow(long line, String reason) {
            this(line, reason, "line");
        }

        @Override
        public String toString() {
            return unit + " " + line + ": " + reason;
        }
    }

    /** One record's fields, in the header's order, as text ("" for none). */
    interface Fields {
        int size();

        String get(int i);
    }

    private HistoryFile() {
    }

    /**
     * Reads {@code reader}, handing each row after line {@code skipThroughLine} to {@code rows}
     * or {@code bad}. Returns the number of the last line read.
     *
     * @throws HistoryFileException when the header cannot be used (nothing is handed on then)
     */
    public static long read(String name, Reader reader, long skipThroughLine, Consumer<Row> rows, Consumer<BadRow> bad) {
        try (CSVParser csv = ClimateCsv.parser(reader)) {
            List<String> header = csv.getHeaderNames();
            Column[] columns = columns(name, header, "line 1");
            Set<String> validZones = new HashSet<>();
            long line = 1;
            for (CSVRecord record : csv) {
                line = csv.getCurrentLineNumber();
                if (line <= skipThroughLine) {
                    continue;
                }
                String problem = null;
                Row row = null;
                try {
                    row = row(new Fields() {
                        public int size() {
                            return record.size();
                        }

                        public String get(int i) {
                            return record.get(i);
                        }
                    }, record.getCharacterPosition(), columns, line, validZones);
                } catch (BadValue e) {
                    problem = e.getMessage();
                }
                if (row != null) {
                    rows.accept(row);
                } else {
                    bad.accept(new BadRow(line, problem));
                }
            }
            return line;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + name + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException | IllegalStateException e) {
            if (e instanceof HistoryFileException h) {
                throw h;
            }
            // Commons CSV: a repeated column name, an unclosed quote (its message names the line).
            throw new HistoryFileException(name, List.of(String.valueOf(e.getMessage())));
        } catch (UncheckedIOException e) {
            throw new HistoryFileException(name, List.of(String.valueOf(e.getMessage())));
        }
    }

    record Column(String name, SensorKind sensor, ActuatorKind actuator) {
    }

    /** @param where where the header is, for the messages ({@code line 1}, {@code the schema}) */
    static Column[] columns(String name, List<String> header, String where) {
        List<String> problems = new ArrayList<>();
        if (header.isEmpty()) {
            throw new HistoryFileException(name, List.of(where + (where.startsWith("line") ? ": the file is empty; its first line"
                    + " must be the header," : ": no columns; it must have") + " time,zone and a column per sensor or actuator"));
        }
        Column[] columns = new Column[header.size()];
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < header.size(); i++) {
            String column = header.get(i).toLowerCase(Locale.ROOT);
            SensorKind sensor = null;
            ActuatorKind actuator = null;
            if (column.startsWith(ACTUATOR_PREFIX)) {
                try {
                    actuator = ActuatorKind.fromWire(column.substring(ACTUATOR_PREFIX.length()));
                } catch (RuntimeException notAnActuator) {
                    unknown.add("'" + header.get(i) + "'");
                }
            } else if (!column.equals(TIME) && !column.equals(ZONE)) {
                try {
                    sensor = SensorKind.fromWire(column);
                } catch (RuntimeException notASensor) {
                    try {
                        actuator = ActuatorKind.fromWire(column);
                    } catch (RuntimeException notAnActuator) {
                        unknown.add("'" + header.get(i) + "'");
                    }
                }
            }
            columns[i] = new Column(column, sensor, actuator);
        }
        if (!unknown.isEmpty()) {
            problems.add(where + ": unknown column" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
                    + "; the sensors are " + String.join(", ", Arrays.stream(SensorKind.values()).map(SensorKind::wireName).toList())
                    + "; the actuators " + String.join(", ", Arrays.stream(ActuatorKind.values()).map(ActuatorKind::wireName).toList()));
        }
        for (String required : List.of(TIME, ZONE)) {
            if (Arrays.stream(columns).noneMatch(c -> c.name().equals(required))) {
                problems.add(where + ": the column '" + required + "' is missing");
            }
        }
        if (problems.isEmpty() && Arrays.stream(columns).allMatch(c -> c.sensor() == null && c.actuator() == null)) {
            problems.add(where + ": no sensor or actuator column");
        }
        if (!problems.isEmpty()) {
            throw new HistoryFileException(name, problems);
        }
        return columns;
    }

    static final class BadValue extends Exception {
        BadValue(String message) {
            super(message, null, false, false);
        }
    }

    /** The record's row, or why it cannot be sent. */
    static Row row(Fields record, long position, Column[] columns, long line, Set<String> validZones) throws BadValue {
        if (record.size() != columns.length) {
            throw new BadValue(record.size() + " fields, the header has " + columns.length);
        }
        Instant time = null;
        String zone = null;
        for (int i = 0; i < columns.length; i++) {
            if (columns[i].name().equals(TIME)) {
                time = time(record.get(i));
            } else if (columns[i].name().equals(ZONE)) {
                zone = record.get(i);
            }
        }
        if (!validZones.contains(zone)) {
            try {
                new ReadingsBatch("gh", zone, "replay", List.of(new Reading(SensorKind.AIR_TEMPERATURE, 0, "degC", time)), List.of());
            } catch (EventException e) {
                throw new BadValue("zone '" + clip(zone) + "' is not an id (letters, digits, '.', '_', ':' or '-', at most 128)");
            }
            validZones.add(zone);
        }
        List<Reading> readings = new ArrayList<>();
        List<ActuatorState> actuators = new ArrayList<>();
        for (int i = 0; i < columns.length; i++) {
            Column c = columns[i];
            String text = record.get(i);
            if ((c.sensor() == null && c.actuator() == null) || text.isEmpty()) {
                continue;
            }
            double value;
            try {
                value = Double.parseDouble(text);
            } catch (NumberFormatException e) {
                throw new BadValue(c.name() + " '" + clip(text) + "' is not a number");
            }
            if (!Double.isFinite(value)) {
                throw new BadValue(c.name() + " " + clip(text) + " is not a finite number");
            }
            try {
                if (c.sensor() != null) {
                    readings.add(new Reading(c.sensor(), value, c.sensor().canonicalUnit(), time));
                } else {
                    actuators.add(new ActuatorState(c.actuator(), value, c.actuator().unit(), time));
                }
            } catch (EventException e) {
                throw new BadValue(c.name() + " " + clip(text) + ": " + e.getMessage());
            }
        }
        if (readings.isEmpty() && actuators.isEmpty()) {
            throw new BadValue("no value in any sensor or actuator column");
        }
        return new Row(line, position, zone, time, List.copyOf(readings), List.copyOf(actuators));
    }

    private static Instant time(String text) throws BadValue {
        return ClimateCsv.instant(text).orElseThrow(() -> new BadValue("time '" + clip(text) + "' " + ClimateCsv.NOT_AN_INSTANT));
    }

    private static String clip(String text) {
        return ClimateCsv.clip(text);
    }
}
