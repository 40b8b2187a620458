package dev.greenloop.trainlauncher.launch;

import dev.greenloop.events.payload.DatasetReady;
import dev.greenloop.trainlauncher.TrainLauncherConfig;
import dev.greenloop.trainlauncher.store.TrainingRuns;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.Locale;
import java.util.Optional;

/**
 * Whether a new dataset is worth a training run by itself: the greenhouse's first; one with
 * {@code retrain.min-new-rows} more rows than the last run's; or, while no run of the greenhouse
 * has been promoted (no model in service), one with twice the last run's rows. preprocess
 * announces a dataset every hour that brought data, and a run per hour would keep a GPU busy for
 * little.
 */
@ApplicationScoped
public class RetrainRule {

    private static final Logger LOG = Logger.getLogger(RetrainRule.class);

    private final TrainingRuns runs;
    private final long minNewRows;
    private final MeterRegistry metrics;

    public RetrainRule(TrainingRuns runs, TrainLauncherConfig config, MeterRegistry metrics) {
        this.runs = runs;
        this.minNewRows = config.retrain().minNewRows();
        this.metrics = metrics;
    }

    /** Why to train on {@code d} (the run's note), or empty: then it is only recorded, and the log says why. */
    public Optional<String> reasonToTrain(DatasetReady d) {
        Optional<String> lastTrained = runs.lastTrainedDataset(d.greenhouseId());
        if (lastTrained.isEmpty()) {
            return Optional.of("first model");
        }
        long before = runs.dataset(lastTrained.get()).map(m -> m.dataset().rows()).orElse(0L);
        long fresh = d.rows() - before;
        if (fresh >= minNewRows) {
            return Optional.of(String.format(Locale.ROOT, "%d rows more than %s", fresh, lastTrained.get()));
        }
        // No model in service yet (the runs so far missed the gate, e.g. the first one saw only the
        // start of an imported history): twice the data is worth another try.
        if (before > 0 && d.rows() >= 2 * before && !runs.everPromoted(d.greenhouseId())) {
            return Optional.of(String.format(Locale.ROOT, "no model in service yet; %d rows, twice those of %s",
                    d.rows(), lastTrained.get()));
        }
        metrics.counter("greenloop.train_launcher.skipped", "reason", "not-enough-new-data").increment();
        LOG.infof("Dataset %s of %s recorded, not trained on: %,d rows more than %s, the last run's"
                + " (retrain.min-new-rows=%,d)", d.datasetId(), d.greenhouseId(), fresh, lastTrained.get(), minNewRows);
        return Optional.empty();
    }
}
