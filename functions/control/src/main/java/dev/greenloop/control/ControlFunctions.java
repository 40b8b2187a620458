package dev.greenloop.control;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.events.EventType;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.Prediction;
import dev.greenloop.function.FunqyReplies;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventMapping;

import java.util.regex.Pattern;

/**
 * The CloudEvents control takes from the Broker: predictions, and the PingSource's periodic
 * check for zones without a usable prediction. Commands go to Kafka, not back to the Broker, so
 * both answer 204; a failure answers with its problem status (5xx retried, 4xx dead-lettered).
 */
public class ControlFunctions {

    /** The CloudEvent type of Knative's PingSource. */
    public static final String PING = "dev.knative.sources.ping";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    private final Controller controller;

    public ControlFunctions(Controller controller) {
        this.controller = controller;
    }

    @Funq("command")
    @CloudEventMapping(trigger = EventTypes.PREDICTION)
    public void command(CloudEvent<JsonNode> event) {
        Prediction p = PayloadCodec.bind(EventType.PREDICTION, event.data());
        controller.onPrediction(p, event.id(), FunqyReplies.extensions(event));
    }

    @Funq("check")
    @CloudEventMapping(trigger = PING)
    public void check(CloudEvent<JsonNode> ping) {
        JsonNode data = ping.data();
        String greenhouse = data == null ? null : data.path("greenhouseId").asText(null);
        if (greenhouse == null || !ID.matcher(greenhouse).matches()) {
            throw new ControlException(ControlException.Kind.INVALID_REQUEST,
                    "the check ping's data must name a greenhouse: {\"greenhouseId\":\"...\"}");
        }
        controller.check(greenhouse, ping.id(), FunqyReplies.extensions(ping));
    }
}
