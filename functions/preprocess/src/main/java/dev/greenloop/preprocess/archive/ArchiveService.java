package dev.greenloop.preprocess.archive;

import dev.greenloop.events.payload.DatasetReady;
import dev.greenloop.features.FeatureCoverage;
import dev.greenloop.features.FeatureSpec;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.LocalDate;
import java.util.Optional;

/**
 * The steps of a batch run, each safe to redo after a crash: archive the readings topic to HDFS,
 * then rebuild the feature tables of a greenhouse's days that got new data and write its dataset
 * manifest. The caller holds the topic lease for the first, the greenhouse's dataset lease for
 * the second ({@link ArchiveWorker}).
 */
@ApplicationScoped
public class ArchiveService {

    private static final Logger LOG = Logger.getLogger(ArchiveService.class);

    private final ArchiveState state;
    private final RawArchiver archiver;
    private final FeatureTables tables;
    private final Datasets datasets;

    public ArchiveService(ArchiveState state, RawArchiver archiver, FeatureTables tables, Datasets datasets) {
        this.state = state;
        this.archiver = archiver;
        this.tables = tables;
        this.datasets = datasets;
    }

    /** Archives the readings topic up to its end offsets as they are now. */
    public void archiveTopic() {
        long t0 = System.nanoTime();
        RawArchiver.Outcome outcome = archiver.run();
        LOG.infof("Archived %d records (%d bytes) in %d ms; new data for %s", outcome.records(), outcome.bytes(),
                (System.nanoTime() - t0) / 1_000_000, outcome.days().keySet());
    }

    /**
     * Builds {@code greenhouse}'s pending feature days and its dataset.
     *
     * @return the greenhouse's dataset, or empty when it has no features yet
     */
    public Optional<DatasetReady> dataset(String greenhouse) {
        for (ArchiveState.PendingDay pending : state.pendingDays(greenhouse)) {
            LocalDate day = pending.day();
            ArchiveState.FeatureFile file = tables.build(greenhouse, day);
            state.dayBuilt(greenhouse, pending);
            if (file != null) {
                LOG.infof("Features of %s %s: %s; %s", greenhouse, day,
                        FeatureCoverage.of(FeatureSpec.CURRENT, file.coverage()).summary(), file.path());
            }
        }
        return datasets.current(greenhouse);
    }
}
