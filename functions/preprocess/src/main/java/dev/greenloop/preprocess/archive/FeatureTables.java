package dev.greenloop.preprocess.archive;

import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.SensorKind;
import dev.greenloop.features.FeatureCalculator;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.features.Lateness;
import dev.greenloop.features.OfflineFeatures;
import dev.greenloop.features.RawReading;
import dev.greenloop.preprocess.PreprocessConfig;
import dev.greenloop.preprocess.PreprocessException;
import dev.greenloop.preprocess.PreprocessException.Kind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

import java.io.IOException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Builds the offline feature table of a greenhouse day from the raw archive, with
 * {@code libs/features} (the same code the streaming path runs):
 * {@code features/v1/greenhouse=<g>/date=<d>/part-0.parquet}, one row per zone and window that
 * has data, every feature and every target a nullable double, the spec version in the file's
 * metadata. The raw rows of the day before and after are read too (lookback, targets), and the
 * zone's readings are replayed in Kafka order so that lateness is judged as it was online.
 */
@ApplicationScoped
public class FeatureTables {

    public static final String FEATURE_SPEC_KEY = "greenloop.feature_spec_version";
    public static final String HORIZON_KEY = "greenloop.horizon_minutes";

    private final Hdfs hdfs;
    private final ArchiveState state;
    private final FeatureSpec spec = FeatureSpec.V1;
    private final OfflineFeatures offline;
    private final int horizon;
    private final MessageType schema;
    private final Counter bytesWritten;

    public FeatureTables(Hdfs hdfs, ArchiveState state, PreprocessConfig config, MeterRegistry registry) {
        this.hdfs = hdfs;
        this.state = state;
        this.offline = new OfflineFeatures(new FeatureCalculator(spec), new Lateness(spec, config.stream().allowedLateness()));
        this.horizon = config.archive().horizonMinutes();
        this.schema = schema(spec, horizon);
        this.bytesWritten = Counter.builder("greenloop.preprocess.archive.bytes").baseUnit("bytes")
                .description("Bytes of Parquet written to HDFS (raw and features)").register(registry);
    }

    public static MessageType schema(FeatureSpec spec, int horizon) {
        StringBuilder s = new StringBuilder("message features_").append(spec.version()).append(" {\n")
                .append("  required binary greenhouse (STRING);\n  required binary zone (STRING);\n")
                .append("  required int64 window_start (TIMESTAMP(MILLIS,true));\n");
        for (String name : spec.names()) {
            s.append("  optional double ").append(name).append(";\n");
        }
        for (String name : spec.targetNames(horizon)) {
            s.append("  optional double ").append(name).append(";\n");
        }
        return MessageTypeParser.parseMessageType(s.append("}").toString());
    }

    public static String relativePath(String greenhouse, LocalDate day) {
        return "features/" + FeatureSpec.V1.version() + "/greenhouse=" + greenhouse + "/date=" + day + "/part-0.parquet";
    }

    /** Builds (or rebuilds) one day; returns the file's description, or null when the day has no rows. */
    public ArchiveState.FeatureFile build(String greenhouse, LocalDate day) {
        try {
            long dayStart = day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            long dayEnd = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            Map<String, List<RawRow>> byZone = new LinkedHashMap<>();
            for (LocalDate d = day.minusDays(1); !d.isAfter(day.plusDays(1)); d = d.plusDays(1)) {
                for (RawRow row : readRaw(greenhouse, d)) {
                    byZone.computeIfAbsent(row.zone(), z -> new ArrayList<>()).add(row);
                }
            }
            Path target = hdfs.path(relativePath(greenhouse, day));
            SimpleGroupFactory groups = new SimpleGroupFactory(schema);
            List<Group> out = new ArrayList<>();
            long from = Long.MAX_VALUE;
            long to = Long.MIN_VALUE;
            for (Map.Entry<String, List<RawRow>> zone : byZone.entrySet()) {
                List<RawReading> counted = offline.counted(events(zone.getValue()));
                for (OfflineFeatures.Row row : offline.table(counted, dayStart, dayEnd, horizon)) {
                    Group g = groups.newGroup().append("greenhouse", greenhouse).append("zone", zone.getKey())
                            .append("window_start", row.windowStart());
                    appendAll(g, spec.names(), row.features());
                    appendAll(g, spec.targetNames(horizon), row.targets());
                    out.add(g);
                    from = Math.min(from, row.windowStart());
                    to = Math.max(to, row.windowStart() + spec.windowMillis());
                }
            }
            if (out.isEmpty()) {
                hdfs.fs().delete(target, false);
                state.forgetFeatureFile(target.toUri().getPath());
                return null;
            }
            Path temporary = hdfs.path("_tmp/" + UUID.randomUUID() + ".parquet");
            try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(temporary).withConf(hdfs.conf())
                    .withType(schema).withCompressionCodec(CompressionCodecName.ZSTD)
                    .withExtraMetaData(Map.of(FEATURE_SPEC_KEY, spec.version(), HORIZON_KEY, Integer.toString(horizon)))
                    .build()) {
                for (Group g : out) {
                    writer.write(g);
                }
            }
            hdfs.replace(temporary, target);
            FileStatus status = hdfs.fs().getFileStatus(target);
            bytesWritten.increment(status.getLen());
            ArchiveState.FeatureFile file = new ArchiveState.FeatureFile(target.toUri().getPath(), greenhouse, day, out.size(),
                    status.getLen(), hdfs.sha256(target), from, to);
            state.saveFeatureFile(file);
            return file;
        } catch (IOException e) {
            throw new PreprocessException(Kind.ARCHIVE_FAILED, "building features of " + greenhouse + " " + day + ": "
                    + e.getMessage(), e);
        }
    }

    /** The raw rows of one greenhouse day, every file of it. */
    public List<RawRow> readRaw(String greenhouse, LocalDate day) throws IOException {
        Path dir = hdfs.path("raw/greenhouse=" + greenhouse + "/date=" + day);
        List<RawRow> rows = new ArrayList<>();
        if (!hdfs.fs().exists(dir)) {
            return rows;
        }
        for (FileStatus file : hdfs.fs().listStatus(dir, p -> p.getName().endsWith(".parquet"))) {
            try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), file.getPath())
                    .withConf(hdfs.conf()).build()) {
                for (Group g = reader.read(); g != null; g = reader.read()) {
                    rows.add(RawRow.of(g));
                }
            }
        }
        return rows;
    }

    /** A zone's raw rows as the events Kafka held, in partition and offset order. */
    static List<List<RawReading>> events(List<RawRow> rows) {
        List<RawRow> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingInt(RawRow::partition).thenComparingLong(RawRow::offset)
                .thenComparingInt(RawRow::itemIndex));
        List<List<RawReading>> events = new ArrayList<>();
        List<RawReading> current = null;
        int partition = -1;
        long offset = -1;
        for (RawRow row : sorted) {
            if (row.partition() != partition || row.offset() != offset) {
                current = new ArrayList<>();
                events.add(current);
                partition = row.partition();
                offset = row.offset();
            }
            reading(row).ifPresent(current::add);
        }
        return events;
    }

    private static java.util.Optional<RawReading> reading(RawRow row) {
        if (row.kind().equals("sensor")) {
            return java.util.Optional.of(RawReading.of(new dev.greenloop.events.payload.Reading(
                    SensorKind.fromWire(row.name()), row.value(), row.unit(), java.time.Instant.ofEpochMilli(row.timestamp()))));
        }
        return RawReading.of(new dev.greenloop.events.payload.ActuatorState(ActuatorKind.fromWire(row.name()), row.value(),
                row.unit(), java.time.Instant.ofEpochMilli(row.timestamp())));
    }

    private static void appendAll(Group g, List<String> names, double[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Double.isNaN(values[i])) {
                g.append(names.get(i), values[i]);
            }
        }
    }
}
