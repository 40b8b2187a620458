package dev.greenloop.preprocess.archive;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.Events;
import dev.greenloop.events.payload.DatasetReady;
import dev.greenloop.preprocess.PreprocessException;
import dev.greenloop.preprocess.PreprocessException.Kind;
import dev.greenloop.preprocess.stream.StreamProcessor;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import dev.greenloop.function.FunqyReplies;
import io.quarkus.funqy.knative.events.CloudEventMapping;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * The batch entry point: the hourly PingSource's event (through the Broker), whose data names the
 * greenhouse, e.g. {@code {"greenhouseId":"gh-1"}}. Replies {@code dev.greenloop.dataset.ready.v1}
 * for it; 204 when it has no features yet or the ping names none; 503 when the run failed or
 * another is in progress (the Broker retries).
 */
public class ArchiveHandler {

    /** The CloudEvent type of Knative's PingSource. */
    public static final String PING = "dev.knative.sources.ping";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    private final ArchiveService service;

    public ArchiveHandler(ArchiveService service) {
        this.service = service;
    }

    @Funq("archive")
    @CloudEventMapping(trigger = PING, responseSource = "/greenloop/preprocess", responseType = EventTypes.DATASET_READY)
    public CloudEvent<DatasetReady> archive(CloudEvent<JsonNode> ping) {
        JsonNode data = ping.data();
        String greenhouse = data != null && data.path("greenhouseId").isTextual() ? data.get("greenhouseId").asText() : null;
        if (greenhouse != null && !ID.matcher(greenhouse).matches()) {
            throw new PreprocessException(Kind.INVALID_EVENT, "ping data names greenhouse '" + greenhouse + "', not a valid id");
        }
        DatasetReady ready = service.run(greenhouse).orElseThrow(() -> new PreprocessException(Kind.NO_REPLY,
                greenhouse == null ? "archive only: the ping names no greenhouse" : "greenhouse " + greenhouse + " has no features yet"));
        io.cloudevents.CloudEvent event = Events.of(ready)
                .id(Events.derivedId("dataset.ready", ready.datasetId()))
                .source(StreamProcessor.SOURCE)
                .subject(ready.datasetId())
                .causedBy(ping.id(), ping.extensions() == null ? Map.of() : ping.extensions())
                .build();
        return FunqyReplies.reply(event, ready);
    }
}
