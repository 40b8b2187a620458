package dev.greenloop.preprocess.archive;

import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.SensorKind;
import dev.greenloop.datasets.FeatureTable;
import dev.greenloop.features.FeatureCalculator;
import dev.greenloop.features.FeatureCoverage;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.features.Lateness;
import dev.greenloop.features.OfflineFeatures;
import dev.greenloop.features.RawReading;
import dev.greenloop.features.Signal;
import dev.greenloop.preprocess.PreprocessConfig;
import dev.greenloop.preprocess.PreprocessException;
import dev.greenloop.preprocess.PreprocessException.Kind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;

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
 * {@code features/v1/greenhouse=<g>/date=<d>/part-<first 16 hex of its SHA-256>.parquet}, one row
 * per zone and window that has data, every feature and every target a nullable double, the spec
 * version in the file's metadata. Files are never rewritten in place: a rebuild of the day (new
 * data arrived) writes a new file, and the one it supersedes stays for
 * {@code superseded-retention}, so a training reading an earlier dataset still finds the bytes
 * its manifest names. The raw rows of the day before and after are read too (lookback, targets), and the
 * zone's live readings are replayed in Kafka order so that lateness is judged as it was online;
 * readings sent in backfill mode all count ({@link OfflineFeatures#counted(List, List)}). Each file's
 * coverage (rows missing each signal and group) is kept with it for the dataset manifest.
 */
@ApplicationScoped
public class FeatureTables {

    public static final String FEATURE_SPEC_KEY = FeatureTable.FEATURE_SPEC_KEY;

    private final Hdfs hdfs;
    private final ArchiveState state;
    private final FeatureSpec spec = FeatureSpec.CURRENT;
    private final OfflineFeatures offline;
    private final int horizon;
    private final java.time.Duration retention;
    private final Counter bytesWritten;
    private final MeterRegistry registry;
    private final java.time.Clock clock;

    public FeatureTables(Hdfs hdfs, ArchiveState state, PreprocessConfig config, MeterRegistry registry, java.time.Clock clock) {
        this.clock = clock;
        this.hdfs = hdfs;
        this.state = state;
        this.offline = new OfflineFeatures(new FeatureCalculator(spec), new Lateness(spec, config.stream().allowedLateness()));
        this.horizon = config.archive().horizonMinutes();
        this.retention = config.archive().supersededRetention();
        this.bytesWritten = Counter.builder("greenloop.preprocess.archive.bytes").baseUnit("bytes")
                .description("Bytes of Parquet written to HDFS (raw and features)").register(registry);
        this.registry = registry;
    }

    public static String relativePath(String greenhouse, LocalDate day) {
        return FeatureTable.relativePath(FeatureSpec.CURRENT, greenhouse, day);
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
            Path dayDirectory = hdfs.path(relativePath(greenhouse, day)).getParent();
            List<FeatureTable.ZoneRows> zones = new ArrayList<>();
            FeatureCoverage coverage = new FeatureCoverage(spec);
            for (Map.Entry<String, List<RawRow>> zone : byZone.entrySet()) {
                List<RawReading> counted = offline.counted(events(zone.getValue(), false), events(zone.getValue(), true));
                List<OfflineFeatures.Row> rows = offline.table(counted, dayStart, dayEnd, horizon);
                if (!rows.isEmpty()) {
                    zones.add(new FeatureTable.ZoneRows(zone.getKey(), rows));
                    rows.forEach(r -> coverage.add(r.features()));
                }
            }
            if (zones.isEmpty()) {
                state.forgetFeatureFile(greenhouse, day);
                removeSuperseded(dayDirectory, null);
                return null;
            }
            Path temporary = hdfs.path("_tmp/" + UUID.randomUUID() + ".parquet");
            FeatureTable.Written written = FeatureTable.write(temporary, hdfs.conf(), spec, horizon, greenhouse, zones);
            String sha256 = hdfs.sha256(temporary);
            Path target = new Path(dayDirectory, "part-" + sha256.substring(0, 16) + ".parquet");
            if (hdfs.fs().exists(target)) {
                // The same bytes as before (no new data for the day): the file a manifest names stays as it is.
                hdfs.fs().delete(temporary, false);
            } else {
                hdfs.replace(temporary, target);
                // Its age is judged by this function's clock (removeSuperseded): written in that clock's time.
                hdfs.fs().setTimes(target, clock.millis(), -1);
            }
            FileStatus status = hdfs.fs().getFileStatus(target);
            bytesWritten.increment(status.getLen());
            ArchiveState.FeatureFile file = new ArchiveState.FeatureFile(target.toUri().getPath(), greenhouse, day,
                    written.rows(), status.getLen(), sha256, written.from(), written.to(), coverage.patterns());
            count(coverage);
            state.saveFeatureFile(file);
            removeSuperseded(dayDirectory, target);
            return file;
        } catch (IOException e) {
            throw new PreprocessException(Kind.ARCHIVE_FAILED, "building features of " + greenhouse + " " + day + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Deletes the day's feature files other than {@code current} that were written longer ago than
     * the retention. Compared by name: the listing's paths are qualified ({@code hdfs://host/...})
     * and {@code current} may not be.
     */
    private void removeSuperseded(Path dayDirectory, Path current) throws IOException {
        if (!hdfs.fs().exists(dayDirectory)) {
            return;
        }
        long cutoff = clock.millis() - retention.toMillis();
        for (FileStatus f : hdfs.fs().listStatus(dayDirectory)) {
            boolean isCurrent = current != null && f.getPath().getName().equals(current.getName());
            if (!isCurrent && f.getPath().getName().endsWith(".parquet") && f.getModificationTime() < cutoff) {
                hdfs.fs().delete(f.getPath(), false);
            }
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

    /** Feature rows built, and those missing each signal group, as counters (rebuilds count again). */
    private void count(FeatureCoverage coverage) {
        Counter.builder("greenloop.preprocess.feature.rows").description("Feature rows built into day tables")
                .register(registry).increment(coverage.rows());
        for (Signal.Group g : Signal.Group.values()) {
            Counter.builder("greenloop.preprocess.feature.rows.missing").tag("group", g.wireName())
                    .description("Feature rows built without the signal group (see FeatureCoverage for the rule)")
                    .register(registry).increment(coverage.missing(g));
        }
    }

    /** A zone's raw rows sent live ({@code backfill} false) or in backfill mode, as the events Kafka held, in partition and offset order. */
    static List<List<RawReading>> events(List<RawRow> rows, boolean backfill) {
        List<RawRow> sorted = new ArrayList<>(rows.stream().filter(r -> r.backfill() == backfill).toList());
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
}
