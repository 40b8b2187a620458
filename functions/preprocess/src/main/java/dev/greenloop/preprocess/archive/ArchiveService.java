package dev.greenloop.preprocess.archive;

import dev.greenloop.events.payload.DatasetReady;
import dev.greenloop.features.FeatureCoverage;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.preprocess.PreprocessConfig;
import dev.greenloop.preprocess.PreprocessException;
import dev.greenloop.preprocess.PreprocessException.Kind;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.LocalDate;
import java.util.Optional;

/**
 * One scheduled batch run: archive the readings topic to HDFS, rebuild the feature tables of the
 * greenhouse's days that got new data, and write its dataset manifest. One run at a time, under
 * a lease in MongoDB.
 */
@ApplicationScoped
public class ArchiveService {

    private static final Logger LOG = Logger.getLogger(ArchiveService.class);

    private final ArchiveState state;
    private final RawArchiver archiver;
    private final FeatureTables tables;
    private final Datasets datasets;
    private final Duration lease;

    public ArchiveService(ArchiveState state, RawArchiver archiver, FeatureTables tables, Datasets datasets,
                          PreprocessConfig config) {
        this.state = state;
        this.archiver = archiver;
        this.tables = tables;
        this.datasets = datasets;
        this.lease = config.archive().lease();
    }

    /**
     * Runs the archive, then, for {@code greenhouse} if given, its feature tables and dataset.
     *
     * @return the greenhouse's dataset, or empty when none was asked for or it has no features yet
     * @throws PreprocessException {@code ARCHIVE_FAILED} when another run holds the lease or
     *                             Kafka/HDFS failed (retriable)
     */
    public Optional<DatasetReady> run(String greenhouse) {
        if (!state.tryLock(lease)) {
            throw new PreprocessException(Kind.ARCHIVE_FAILED, "another archive run is in progress; try again later");
        }
        try {
            long t0 = System.nanoTime();
            RawArchiver.Outcome outcome = archiver.run();
            LOG.infof("Archived %d records (%d bytes) in %d ms; new data for %s", outcome.records(), outcome.bytes(),
                    (System.nanoTime() - t0) / 1_000_000, outcome.days().keySet());
            if (greenhouse == null) {
                return Optional.empty();
            }
            for (LocalDate day : state.pendingDays(greenhouse)) {
                ArchiveState.FeatureFile file = tables.build(greenhouse, day);
                state.dayBuilt(greenhouse, day);
                if (file != null) {
                    LOG.infof("Features of %s %s: %s; %s", greenhouse, day,
                            FeatureCoverage.of(FeatureSpec.V1, file.coverage()).summary(), file.path());
                }
            }
            return datasets.current(greenhouse);
        } finally {
            state.unlock();
        }
    }
}
