package dev.greenloop.preprocess.archive;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.preprocess.PreprocessException;
import dev.greenloop.preprocess.PreprocessException.Kind;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventMapping;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * The batch entry point: the hourly PingSource's event (through the Broker), whose data names the
 * greenhouse, e.g. {@code {"greenhouseId":"gh-1"}}. Answered 202 at once: the request is stored
 * and {@link ArchiveWorker} archives in the background, then posts the greenhouse's
 * {@code dev.greenloop.dataset.ready.v1} to {@code K_SINK} (once per dataset). A ping naming no
 * greenhouse only archives; one naming an invalid id is 400; 503 when MongoDB cannot store the
 * request (the Broker retries).
 */
public class ArchiveHandler {

    /** The CloudEvent type of Knative's PingSource. */
    public static final String PING = "dev.knative.sources.ping";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    private final ArchiveWorker worker;

    public ArchiveHandler(ArchiveWorker worker) {
        this.worker = worker;
    }

    @Funq("archive")
    @CloudEventMapping(trigger = PING)
    public void archive(CloudEvent<JsonNode> ping) {
        JsonNode data = ping.data();
        String greenhouse = data != null && data.path("greenhouseId").isTextual() ? data.get("greenhouseId").asText() : null;
        if (greenhouse != null && !ID.matcher(greenhouse).matches()) {
            throw new PreprocessException(Kind.INVALID_EVENT, "ping data names greenhouse '" + greenhouse + "', not a valid id");
        }
        worker.request(greenhouse == null ? ArchiveState.ARCHIVE_ONLY : greenhouse, ping.id(),
                ping.extensions() == null ? Map.of() : ping.extensions());
        throw new PreprocessException(Kind.ACCEPTED, greenhouse == null ? "archive requested"
                : "archive of " + greenhouse + " requested; dataset.ready follows through K_SINK");
    }
}
