package dev.greenloop.trainlauncher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.events.EventType;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.DatasetReady;
import dev.greenloop.events.payload.DriftDetected;
import dev.greenloop.events.payload.ModelPromoted;
import dev.greenloop.events.payload.TrainingReason;
import dev.greenloop.events.payload.TrainingRequested;
import dev.greenloop.trainlauncher.launch.LaunchService;
import dev.greenloop.trainlauncher.launch.LaunchService.Request;
import dev.greenloop.function.FunqyReplies;
import dev.greenloop.trainlauncher.promote.PromotionService;
import dev.greenloop.trainlauncher.store.TrainingRuns;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventMapping;

import org.jboss.logging.Logger;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The events that ask for training, each mapped to its CloudEvent type: an explicit request,
 * detected drift, the nightly PingSource (whose data names the greenhouse), and a new dataset,
 * which launches for a greenhouse's first dataset, when enough new data has come since the last
 * trained one ({@code retrain.min-new-rows}), or, while no run has been promoted yet, when the
 * data has doubled since the last run: preprocess writes a dataset every hour, and a run per hour
 * would keep a GPU busy for little. They reply nothing (204); a launched Job reports
 * through its status events.
 */
public class TrainingTriggers {

    /** The CloudEvent type of Knative's PingSource. */
    public static final String PING = "dev.knative.sources.ping";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    private static final Logger LOG = Logger.getLogger(TrainingTriggers.class);

    private final LaunchService launches;
    private final TrainingRuns runs;
    private final TrainLauncherConfig config;
    private final MeterRegistry metrics;
    private final PromotionService promotions;

    public TrainingTriggers(LaunchService launches, TrainingRuns runs, TrainLauncherConfig config, MeterRegistry metrics,
                            PromotionService promotions) {
        this.launches = launches;
        this.promotions = promotions;
        this.runs = runs;
        this.config = config;
        this.metrics = metrics;
    }

    @Funq("training-requested")
    @CloudEventMapping(trigger = EventTypes.TRAINING_REQUESTED)
    public void requested(CloudEvent<JsonNode> event) {
        TrainingRequested r = PayloadCodec.bind(EventType.TRAINING_REQUESTED, event.data());
        launches.launch(new Request(r.greenhouseId(), r.reason(), r.datasetId(), null, event.id(), r.note()));
    }

    @Funq("dataset-ready")
    @CloudEventMapping(trigger = EventTypes.DATASET_READY)
    public void datasetReady(CloudEvent<JsonNode> event) {
        DatasetReady d = PayloadCodec.bind(EventType.DATASET_READY, event.data());
        Optional<String> lastTrained = runs.lastTrainedDataset(d.greenhouseId());
        String note = "first model";
        if (lastTrained.isPresent()) {
            long before = runs.dataset(lastTrained.get()).map(m -> m.dataset().rows()).orElse(0L);
            long fresh = d.rows() - before;
            // No model in service yet (the runs so far missed the gate, e.g. the first one saw only
            // the start of the history): twice the data is worth another try.
            if (before > 0 && d.rows() >= 2 * before && !runs.everPromoted(d.greenhouseId())) {
                launches.launch(new Request(d.greenhouseId(), TrainingReason.DATASET_READY, d.datasetId(), d, event.id(),
                        String.format(java.util.Locale.ROOT, "no model in service yet; %d rows, twice those of %s",
                                d.rows(), lastTrained.get())));
                return;
            }
            if (fresh < config.retrain().minNewRows()) {
                metrics.counter("greenloop.train_launcher.skipped", "reason", "not-enough-new-data").increment();
                LOG.infof("Dataset %s of %s recorded, not trained on: %,d rows more than %s, the last model's"
                        + " (retrain.min-new-rows=%,d)", d.datasetId(), d.greenhouseId(), fresh, lastTrained.get(),
                        config.retrain().minNewRows());
                return;
            }
            note = String.format(java.util.Locale.ROOT, "%d rows more than %s", fresh, lastTrained.get());
        }
        launches.launch(new Request(d.greenhouseId(), TrainingReason.DATASET_READY, d.datasetId(), d, event.id(), note));
    }

    /**
     * The champion decayed: retrain. With {@code gate.realised-evidence}, a challenger that beat
     * the champion on live data is promoted instead (replying {@code model.promoted}).
     */
    @Funq("drift")
    @CloudEventMapping(trigger = EventTypes.DRIFT_DETECTED, responseSource = "/greenloop/train-launcher",
            responseType = EventTypes.MODEL_PROMOTED)
    public io.quarkus.funqy.knative.events.CloudEvent<ModelPromoted> drift(CloudEvent<JsonNode> event) {
        DriftDetected d = PayloadCodec.bind(EventType.DRIFT_DETECTED, event.data());
        Optional<io.cloudevents.CloudEvent> promoted = promotions.promoteChallenger(d, event.id(), FunqyReplies.extensions(event));
        if (promoted.isPresent()) {
            return FunqyReplies.reply(promoted.get(), PayloadCodec.<ModelPromoted>read(EventType.MODEL_PROMOTED,
                    promoted.get().getData().toBytes()));
        }
        launches.launch(new Request(d.greenhouseId(), TrainingReason.DRIFT, null, null, event.id(),
                d.metric() + " " + d.value() + " over threshold " + d.threshold()));
        throw new TrainLauncherException(TrainLauncherException.Kind.NO_REPLY, "drift of " + d.greenhouseId() + " handled");
    }

    @Funq("nightly")
    @CloudEventMapping(trigger = PING)
    public void nightly(CloudEvent<JsonNode> ping) {
        JsonNode data = ping.data();
        String greenhouse = data == null ? null : data.path("greenhouseId").asText(null);
        if (greenhouse == null || !ID.matcher(greenhouse).matches()) {
            throw new TrainLauncherException(TrainLauncherException.Kind.INVALID_REQUEST,
                    "the nightly ping's data must name a greenhouse: {\"greenhouseId\":\"...\"}");
        }
        launches.launch(new Request(greenhouse, TrainingReason.SCHEDULE, null, null, ping.id(), "nightly"));
    }
}
