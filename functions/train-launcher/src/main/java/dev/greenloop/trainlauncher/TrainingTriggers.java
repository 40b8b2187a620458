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
import dev.greenloop.trainlauncher.launch.RetrainRule;
import dev.greenloop.function.FunqyReplies;
import dev.greenloop.trainlauncher.promote.PromotionService;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventMapping;


import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The events that ask for training, each mapped to its CloudEvent type: an explicit request,
 * detected drift, the nightly PingSource (whose data names the greenhouse), and a new dataset,
 * which launches when {@link RetrainRule} says it is worth a run. They reply nothing (204); a launched Job reports
 * through its status events.
 */
public class TrainingTriggers {

    /** The CloudEvent type of Knative's PingSource. */
    public static final String PING = "dev.knative.sources.ping";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    private final LaunchService launches;
    private final RetrainRule rule;
    private final PromotionService promotions;

    public TrainingTriggers(LaunchService launches, RetrainRule rule, PromotionService promotions) {
        this.launches = launches;
        this.promotions = promotions;
        this.rule = rule;
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
        rule.reasonToTrain(d).ifPresent(note -> launches.launch(
                new Request(d.greenhouseId(), TrainingReason.DATASET_READY, d.datasetId(), d, event.id(), note)));
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
