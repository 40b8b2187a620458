package dev.greenloop.local.replay;

import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A climate computer's history as Parquet: the same table as {@link HistoryFile}'s CSV, a column
 * per sensor or actuator named the same way, one row per zone and time. {@code time} is a
 * timestamp (INT64 with a TIMESTAMP annotation in milli-, micro- or nanoseconds, UTC-adjusted)
 * or an RFC 3339 string; {@code zone} a string; the value columns DOUBLE, FLOAT, INT32 or INT64,
 * optional (a null is no reading). Rows are numbered from 1 in the file's order; a bad row is
 * reported with its number and reason and skipped, as a CSV line is. Nested or repeated columns,
 * and a {@code time} without its timestamp unit, are refused with the schema.
 */
public final class HistoryParquet {

    private static final byte[] MAGIC = {'P', 'A', 'R', '1'};

    private HistoryParquet() {
    }

    /** Whether the file starts as a Parquet file does. */
    public static boolean isParquet(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return java.util.Arrays.equals(in.readNBytes(4), MAGIC);
        }
    }

    /**
     * Reads {@code file}, handing each row after row {@code skipThroughRow} to {@code rows} or
     * {@code bad}. Returns the number of the last row read.
     *
     * @throws HistoryFileException when the schema cannot be used (nothing is handed on then)
     */
    public static long read(Path file, long skipThroughRow, Consumer<HistoryFile.Row> rows,
                            Consumer<HistoryFile.BadRow> bad) {
        String name = file.toString();
        long size;
        try (ParquetFileReader reader = open(file)) {
            size = Files.size(file);
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            Reader[] fields = fields(name, schema);
            HistoryFile.Column[] columns = HistoryFile.columns(name, schema.getFields().stream().map(Type::getName).toList(),
                    "the schema");
            long total = Math.max(1, reader.getRecordCount());
            Set<String> validZones = new HashSet<>();
            long row = 0;
            PageReadStore pages;
            while ((pages = reader.readNextRowGroup()) != null) {
                RecordReader<Group> records = new ColumnIOFactory().getColumnIO(schema)
                        .getRecordReader(pages, new GroupRecordConverter(schema));
                for (long i = 0; i < pages.getRowCount(); i++) {
                    Group group = records.read();
                    row++;
                    if (row <= skipThroughRow) {
                        continue;
                    }
                    long number = row;
                    try {
                        rows.accept(HistoryFile.row(new HistoryFile.Fields() {
                            public int size() {
                                return fields.length;
                            }

                            public String get(int f) {
                                return fields[f].text(group, f);
                            }
                        }, number * size / total, columns, number, validZones));
                    } catch (HistoryFile.BadValue e) {
                        bad.accept(new HistoryFile.BadRow(number, e.getMessage(), "row"));
                    }
                }
            }
            return row;
        } catch (IOException | UncheckedIOException e) {
            throw new HistoryFileException(name, List.of("it cannot be read as Parquet: " + e.getMessage()));
        }
    }

    private static ParquetFileReader open(Path file) throws IOException {
        try {
            return ParquetFileReader.open(new LocalInputFile(file));
        } catch (RuntimeException e) {
            // parquet-hadoop says "<input file object> is not a Parquet file ..." for a broken footer.
            throw new IOException(String.valueOf(e.getMessage()).replaceFirst("^\\S*LocalInputFile@\\S* ", "the file "), e);
        }
    }

    /** How a column's value becomes the text a CSV cell would hold. */
    private interface Reader {
        String text(Group group, int field);
    }

    private static Reader[] fields(String name, MessageType schema) {
        List<String> problems = new ArrayList<>();
        Reader[] readers = new Reader[schema.getFieldCount()];
        for (int i = 0; i < readers.length; i++) {
            Type type = schema.getType(i);
            String column = type.getName();
            if (!type.isPrimitive() || type.isRepetition(Type.Repetition.REPEATED)) {
                problems.add("the schema: column '" + column + "' is " + (type.isPrimitive() ? "repeated" : "a group")
                        + "; every column must hold one plain value");
                continue;
            }
            PrimitiveType p = type.asPrimitiveType();
            LogicalTypeAnnotation logical = p.getLogicalTypeAnnotation();
            Reader value = switch (p.getPrimitiveTypeName()) {
                case DOUBLE -> (g, f) -> Double.toString(g.getDouble(f, 0));
                case FLOAT -> (g, f) -> Float.toString(g.getFloat(f, 0));
                case INT32 -> (g, f) -> Integer.toString(g.getInteger(f, 0));
                case INT64 -> logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts
                        ? (g, f) -> instant(g.getLong(f, 0), ts.getUnit()).toString()
                        : (g, f) -> Long.toString(g.getLong(f, 0));
                case BINARY -> logical instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
                        || column.toLowerCase(Locale.ROOT).equals(HistoryFile.ZONE) || column.toLowerCase(Locale.ROOT).equals(HistoryFile.TIME)
                        ? (g, f) -> g.getString(f, 0) : null;
                default -> null;
            };
            if (value == null) {
                problems.add("the schema: column '" + column + "' is " + p.getPrimitiveTypeName()
                        + (logical == null ? "" : " (" + logical + ")") + "; values must be DOUBLE, FLOAT, INT32 or INT64,"
                        + " time a TIMESTAMP or a string, zone a string");
                continue;
            }
            if (column.equalsIgnoreCase(HistoryFile.TIME) && p.getPrimitiveTypeName() != PrimitiveType.PrimitiveTypeName.BINARY
                    && !(logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation)) {
                problems.add("the schema: column 'time' is " + p.getPrimitiveTypeName() + " without a TIMESTAMP unit;"
                        + " it must be a TIMESTAMP or an RFC 3339 string");
                continue;
            }
            readers[i] = (g, f) -> g.getFieldRepetitionCount(f) == 0 ? "" : value.text(g, f);
        }
        if (!problems.isEmpty()) {
            throw new HistoryFileException(name, problems);
        }
        return readers;
    }

    private static Instant instant(long value, LogicalTypeAnnotation.TimeUnit unit) {
        return switch (unit) {
            case MILLIS -> Instant.ofEpochMilli(value);
            case MICROS -> Instant.ofEpochSecond(Math.floorDiv(value, 1_000_000L), Math.floorMod(value, 1_000_000L) * 1_000L);
            case NANOS -> Instant.ofEpochSecond(Math.floorDiv(value, 1_000_000_000L), Math.floorMod(value, 1_000_000_000L));
        };
    }
}
