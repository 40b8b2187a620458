package dev.greenloop.trainlauncher;

import dev.greenloop.datasets.FeatureTable;
import dev.greenloop.events.payload.DatasetFile;
import dev.greenloop.events.payload.DatasetReady;
import dev.greenloop.features.FeatureCalculator;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.features.Lateness;
import dev.greenloop.features.OfflineFeatures;
import dev.greenloop.features.RawReading;
import dev.greenloop.simulator.GreenhouseSimulator;
import dev.greenloop.testkit.hdfs.HdfsCluster;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * The reference synthetic dataset: a simulated greenhouse (two zones, one reading round a
 * minute, a sensor fault a day) turned into feature tables with libs/features and written to
 * HDFS in the format preprocess writes, with its manifest.
 */
final class ReferenceDataset {

    private ReferenceDataset() {
    }

    static DatasetReady write(HdfsCluster hdfs, String greenhouse, Instant start, int days, long seed) throws Exception {
        return write(hdfs, greenhouse, start, days, seed, minute -> true);
    }

    /**
     * Like {@link #write(HdfsCluster, String, Instant, int, long)}, with the simulator's actuator
     * states kept only in the minutes {@code actuatorsAt} accepts: a dataset an upstream loss cut.
     */
    static DatasetReady write(HdfsCluster hdfs, String greenhouse, Instant start, int days, long seed,
                              LongPredicate actuatorsAt) throws Exception {
        GreenhouseSimulator sim = new GreenhouseSimulator(greenhouse, List.of("z1", "z2"), start, seed, 1.0);
        Map<String, List<List<RawReading>>> events = sim.rawEventsByZone(days * 1440L + 30, actuatorsAt);
        FeatureSpec spec = FeatureSpec.CURRENT;
        OfflineFeatures offline = new OfflineFeatures(new FeatureCalculator(spec), new Lateness(spec, Duration.ofMinutes(2)));
        Map<String, List<RawReading>> counted = new LinkedHashMap<>();
        events.forEach((zone, e) -> counted.put(zone, offline.counted(e)));
        Configuration conf = new Configuration();
        hdfs.clientConfig().forEach(conf::set);
        List<DatasetFile> files = new ArrayList<>();
        long rows = 0;
        long from = Long.MAX_VALUE;
        long to = Long.MIN_VALUE;
        try (FileSystem fs = FileSystem.newInstance(hdfs.uri(), conf)) {
            LocalDate first = start.atZone(ZoneOffset.UTC).toLocalDate();
            for (int d = 0; d < days; d++) {
                LocalDate day = first.plusDays(d);
                long dayStart = day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
                List<FeatureTable.ZoneRows> zones = new ArrayList<>();
                counted.forEach((zone, readings) -> zones.add(new FeatureTable.ZoneRows(zone,
                        offline.table(readings, dayStart, dayStart + 86_400_000L, 15))));
                Path path = new Path("/greenloop/" + FeatureTable.relativePath(spec, greenhouse, day));
                FeatureTable.Written written = FeatureTable.write(path, conf, spec, 15, greenhouse, zones);
                files.add(new DatasetFile(path.toUri().getPath(), written.rows(), fs.getFileStatus(path).getLen(), sha256(fs, path)));
                rows += written.rows();
                from = Math.min(from, written.from());
                to = Math.max(to, written.to());
            }
        }
        return new DatasetReady("ds-" + greenhouse + "-ref", greenhouse, spec.version(), Instant.ofEpochMilli(from),
                Instant.ofEpochMilli(to), rows, files);
    }

    private static String sha256(FileSystem fs, Path path) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = fs.open(path)) {
            sha.update(in.readAllBytes());
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
