package dev.greenloop.infer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.events.EventType;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.json.EventJson;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.FeatureWindow;
import dev.greenloop.events.payload.ModelPromoted;
import dev.greenloop.function.FunqyReplies;
import dev.greenloop.infer.model.ModelStore;
import io.micrometer.core.instrument.Timer;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventMapping;
import org.jboss.logging.Logger;

import java.io.IOException;

/**
 * The CloudEvents infer takes from the Broker: a feature window, answered with a prediction
 * (binary or structured mode, as Funqy reads both), and a promotion, which reloads the model.
 */
public class PredictionFunctions {

    private static final Logger LOG = Logger.getLogger(PredictionFunctions.class);

    private final WindowPredictions predictions;
    private final ModelStore models;
    private final Timer latency;

    public PredictionFunctions(WindowPredictions predictions, ModelStore models, Scoring scoring) {
        this.predictions = predictions;
        this.models = models;
        this.latency = scoring.latency("event");
    }

    @Funq("predict")
    @CloudEventMapping(trigger = EventTypes.FEATURES_WINDOW)
    public CloudEvent<JsonNode> predict(CloudEvent<JsonNode> event) {
        long started = System.nanoTime();
        FeatureWindow window = PayloadCodec.bind(EventType.FEATURES_WINDOW, event.data());
        io.cloudevents.CloudEvent reply = predictions.predict(window, event.id(), FunqyReplies.extensions(event));
        CloudEvent<JsonNode> answer = FunqyReplies.reply(reply, json(reply));
        latency.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        return answer;
    }

    @Funq("reload")
    @CloudEventMapping(trigger = EventTypes.MODEL_PROMOTED)
    public void reload(CloudEvent<JsonNode> event) {
        ModelPromoted promoted = PayloadCodec.bind(EventType.MODEL_PROMOTED, event.data());
        LOG.infof("%s version %s was promoted (event %s); checking the registry", promoted.modelName(),
                promoted.modelVersion(), event.id());
        models.refresh(promoted.modelName());
    }

    private static JsonNode json(io.cloudevents.CloudEvent event) {
        try {
            return EventJson.mapper().readTree(event.getData().toBytes());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
