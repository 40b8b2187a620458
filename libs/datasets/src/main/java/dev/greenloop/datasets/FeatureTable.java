package dev.greenloop.datasets;

import dev.greenloop.features.FeatureSpec;
import dev.greenloop.features.OfflineFeatures;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The offline feature table, as preprocess writes it and the trainer reads it: one Parquet file
 * per greenhouse and day in {@code features/<spec>/greenhouse=<g>/date=<d>/}, zstd (preprocess names
 * each file by its digest and never rewrites one; readers take the paths from the dataset manifest).
 * Columns: {@code greenhouse}, {@code zone}, {@code window_start} (timestamp, ms), every feature
 * of the spec in order, then {@code target_<signal>_<h>m}; features and targets are nullable
 * doubles (null = missing). File metadata: {@link #FEATURE_SPEC_KEY} and {@link #HORIZON_KEY}.
 */
public final class FeatureTable {

    public static final String FEATURE_SPEC_KEY = "greenloop.feature_spec_version";
    public static final String HORIZON_KEY = "greenloop.horizon_minutes";

    private FeatureTable() {
    }

    /** Rows of one zone. */
    public record ZoneRows(String zone, List<OfflineFeatures.Row> rows) {
    }

    /** A row as read back: its zone, window, features and targets (NaN where null). */
    public record ReadRow(String zone, long windowStart, double[] features, double[] targets) {
    }

    /** What was written: rows and the time range they cover. */
    public record Written(long rows, long from, long to) {
    }

    /** A file of the day's directory named {@code part-0.parquet} (test datasets; preprocess uses digest names in the same directory). */
    public static String relativePath(FeatureSpec spec, String greenhouse, LocalDate day) {
        return "features/" + spec.version() + "/greenhouse=" + greenhouse + "/date=" + day + "/part-0.parquet";
    }

    public static MessageType schema(FeatureSpec spec, int horizonMinutes) {
        StringBuilder s = new StringBuilder("message features_").append(spec.version()).append(" {\n")
                .append("  required binary greenhouse (STRING);\n  required binary zone (STRING);\n")
                .append("  required int64 window_start (TIMESTAMP(MILLIS,true));\n");
        for (String name : spec.names()) {
            s.append("  optional double ").append(name).append(";\n");
        }
        for (String name : spec.targetNames(horizonMinutes)) {
            s.append("  optional double ").append(name).append(";\n");
        }
        return MessageTypeParser.parseMessageType(s.append("}").toString());
    }

    /** Writes the rows of every zone of one greenhouse to {@code path} (overwriting it). */
    public static Written write(Path path, Configuration conf, FeatureSpec spec, int horizonMinutes, String greenhouse,
                                List<ZoneRows> zones) throws IOException {
        MessageType schema = schema(spec, horizonMinutes);
        SimpleGroupFactory groups = new SimpleGroupFactory(schema);
        List<String> targets = spec.targetNames(horizonMinutes);
        long rows = 0;
        long from = Long.MAX_VALUE;
        long to = Long.MIN_VALUE;
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(path).withConf(conf).withType(schema)
                .withCompressionCodec(CompressionCodecName.ZSTD)
                .withWriteMode(org.apache.parquet.hadoop.ParquetFileWriter.Mode.OVERWRITE)
                .withExtraMetaData(Map.of(FEATURE_SPEC_KEY, spec.version(), HORIZON_KEY, Integer.toString(horizonMinutes)))
                .build()) {
            for (ZoneRows zone : zones) {
                for (OfflineFeatures.Row row : zone.rows()) {
                    Group g = groups.newGroup().append("greenhouse", greenhouse).append("zone", zone.zone())
                            .append("window_start", row.windowStart());
                    appendAll(g, spec.names(), row.features());
                    appendAll(g, targets, row.targets());
                    writer.write(g);
                    rows++;
                    from = Math.min(from, row.windowStart());
                    to = Math.max(to, row.windowStart() + spec.windowMillis());
                }
            }
        }
        return new Written(rows, from, to);
    }

    /**
     * Reads every row of a feature table written with {@code spec} at {@code horizonMinutes}, in
     * file order.
     *
     * @throws IOException also when the file was built with another spec version or horizon
     */
    public static List<ReadRow> read(Path path, Configuration conf, FeatureSpec spec, int horizonMinutes) throws IOException {
        List<String> names = spec.names();
        List<String> targets = spec.targetNames(horizonMinutes);
        try (ParquetFileReader file = ParquetFileReader.open(HadoopInputFile.fromPath(path, conf))) {
            String version = file.getFileMetaData().getKeyValueMetaData().get(FEATURE_SPEC_KEY);
            if (!spec.version().equals(version)) {
                throw new IOException(path + " was built with feature spec " + version + ", not " + spec.version());
            }
            MessageType schema = file.getFileMetaData().getSchema();
            for (String column : targets) {
                if (!schema.containsField(column)) {
                    throw new IOException(path + " has no column " + column + " (built for another horizon?)");
                }
            }
        }
        List<ReadRow> rows = new ArrayList<>();
        try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), path).withConf(conf).build()) {
            for (Group g = reader.read(); g != null; g = reader.read()) {
                rows.add(new ReadRow(g.getString("zone", 0), g.getLong("window_start", 0), values(g, names),
                        values(g, targets)));
            }
        }
        return rows;
    }

    private static double[] values(Group g, List<String> names) {
        double[] out = new double[names.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = g.getFieldRepetitionCount(names.get(i)) == 0 ? Double.NaN : g.getDouble(names.get(i), 0);
        }
        return out;
    }

    private static void appendAll(Group g, List<String> names, double[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Double.isNaN(values[i])) {
                g.append(names.get(i), values[i]);
            }
        }
    }
}
