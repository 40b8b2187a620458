package dev.greenloop.preprocess.archive;

import dev.greenloop.events.Events;
import dev.greenloop.events.payload.DatasetFile;
import dev.greenloop.datasetregistry.DatasetManifest;
import dev.greenloop.events.payload.DatasetReady;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.preprocess.PreprocessConfig;
import jakarta.enterprise.context.ApplicationScoped;
import dev.greenloop.features.FeatureCoverage;
import dev.greenloop.features.Signal;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Dataset manifests: the last {@code dataset-days} days of a greenhouse's feature files, with
 * row counts, time range, spec version and each file's SHA-256, stored in MongoDB
 * ({@code datasets}). The id comes from the files' digests, so the same files make the same
 * dataset. Nothing is cut without a word: the manifest records the older days the span left
 * out ({@code leftOut}) and the rows missing each signal group ({@code coverage}), and both are
 * logged with it and exported as gauges per greenhouse.
 */
@ApplicationScoped
public class Datasets {

    private static final Logger LOG = Logger.getLogger(Datasets.class);

    private final ArchiveState state;
    private final int days;
    private final int horizon;
    private final MeterRegistry registry;
    private final Map<String, double[]> gauges = new ConcurrentHashMap<>();

    private final Clock clock;

    public Datasets(ArchiveState state, PreprocessConfig config, MeterRegistry registry, Clock clock) {
        this.clock = clock;
        this.state = state;
        this.days = config.archive().datasetDays();
        this.horizon = config.archive().horizonMinutes();
        this.registry = registry;
    }

    /** The current dataset of {@code greenhouse}, stored; empty when it has no feature files. */
    public Optional<DatasetReady> current(String greenhouse) {
        List<ArchiveState.FeatureFile> all = state.featureFiles(greenhouse);
        if (all.isEmpty()) {
            return Optional.empty();
        }
        LocalDate newest = all.get(all.size() - 1).day();
        List<ArchiveState.FeatureFile> files = all.stream().filter(f -> f.day().isAfter(newest.minusDays(days))).toList();
        List<ArchiveState.FeatureFile> older = all.stream().filter(f -> !f.day().isAfter(newest.minusDays(days))).toList();
        MessageDigest sha = sha256();
        for (ArchiveState.FeatureFile f : files) {
            sha.update(f.path().getBytes(StandardCharsets.UTF_8));
            sha.update(f.sha256().getBytes(StandardCharsets.UTF_8));
        }
        String id = "ds-" + greenhouse + "-" + HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        long rows = files.stream().mapToLong(ArchiveState.FeatureFile::rows).sum();
        long from = files.stream().mapToLong(ArchiveState.FeatureFile::from).min().orElseThrow();
        long to = files.stream().mapToLong(ArchiveState.FeatureFile::to).max().orElseThrow();
        FeatureCoverage coverage = new FeatureCoverage(FeatureSpec.CURRENT);
        files.forEach(f -> coverage.addAll(FeatureCoverage.of(FeatureSpec.CURRENT, f.coverage())));
        DatasetReady ready = new DatasetReady(id, greenhouse, FeatureSpec.CURRENT.version(), Instant.ofEpochMilli(from),
                Instant.ofEpochMilli(to), rows,
                files.stream().map(f -> new DatasetFile(f.path(), f.rows(), f.bytes(), f.sha256())).toList());
        DatasetManifest.LeftOut leftOut = null;
        String cut = "";
        if (!older.isEmpty()) {
            long olderRows = older.stream().mapToLong(ArchiveState.FeatureFile::rows).sum();
            leftOut = new DatasetManifest.LeftOut(older.size(), olderRows, older.get(0).day(), older.get(older.size() - 1).day());
            cut = String.format(Locale.ROOT, "; %d older day(s) with %,d rows (%s to %s) left out by"
                            + " greenloop.preprocess.archive.dataset-days=%d", older.size(), olderRows, older.get(0).day(),
                    older.get(older.size() - 1).day(), days);
        }
        state.saveDataset(new DatasetManifest(ready, files.stream().map(ArchiveState.FeatureFile::day).toList(), horizon,
                FeatureSpec.CURRENT.targetNames(horizon), days,
                new DatasetManifest.Coverage(coverage.rows(), coverage.missingByGroup(), coverage.missingBySignal()),
                leftOut, Events.derivedId("dataset.ready", id), Instant.now(clock)));
        LOG.infof("Dataset %s of %s: %d day(s), %s to %s, %s%s", id, greenhouse, files.size(), files.get(0).day(), newest,
                coverage.summary(), cut);
        export(greenhouse, coverage, older.size());
        return Optional.of(ready);
    }

    private void export(String greenhouse, FeatureCoverage coverage, int daysLeftOut) {
        for (Signal.Group g : Signal.Group.values()) {
            gauge("greenloop.preprocess.dataset.missing.share", "Share of the current dataset's rows that miss the signal group",
                    Tags.of("greenhouse", greenhouse, "group", g.wireName()))[0] = coverage.missingShare(g);
        }
        gauge("greenloop.preprocess.dataset.days.left.out", "Older feature days the dataset span (dataset-days) left out",
                Tags.of("greenhouse", greenhouse))[0] = daysLeftOut;
    }

    private double[] gauge(String name, String description, Tags tags) {
        return gauges.computeIfAbsent(name + tags, k -> {
            double[] holder = new double[1];
            Gauge.builder(name, holder, h -> h[0]).description(description).tags(tags).register(registry);
            return holder;
        });
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
