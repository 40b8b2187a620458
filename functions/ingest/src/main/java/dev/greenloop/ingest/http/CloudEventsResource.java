package dev.greenloop.ingest.http;

import dev.greenloop.function.base.Problem;
import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.events.CloudEventAttributes;
import dev.greenloop.events.EventException;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.Extensions;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.ingest.IngestConfig;
import dev.greenloop.ingest.IngestException;
import dev.greenloop.ingest.IngestException.ItemError;
import dev.greenloop.ingest.IngestException.Kind;
import dev.greenloop.ingest.IngestService;
import dev.greenloop.ingest.auth.Authenticator;
import dev.greenloop.ingest.auth.Device;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.format.EventDeserializationException;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.http.HttpMessageFactory;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.rw.CloudEventRWException;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * {@code POST /}: {@code dev.greenloop.sensor.readings.v1} CloudEvents in binary, structured or
 * batch mode ({@code application/cloudevents-batch+json}), for gateways that speak CloudEvents.
 *
 * <p>This is a plain JAX-RS resource rather than a Funqy function on purpose: a Funqy function
 * sees neither the request's headers nor its status codes, and this front door must authenticate
 * every device and answer 401/403/413/415/422/429/503 with problem details. A batch is all or
 * nothing: every event is validated before any is published.
 */
@Path("/")
public class CloudEventsResource {

    public static final String BATCH = "application/cloudevents-batch+json";
    public static final String STRUCTURED = "application/cloudevents+json";

    private final Authenticator authenticator;
    private final IngestService service;
    private final IngestConfig config;

    public CloudEventsResource(Authenticator authenticator, IngestService service, IngestConfig config) {
        this.authenticator = authenticator;
        this.service = service;
        this.config = config;
    }

    @POST
    @Blocking
    @Consumes(MediaType.WILDCARD)
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    @SecurityRequirement(name = "deviceToken")
    @Operation(summary = "Send readings as CloudEvents (binary, structured or batch mode)",
            description = "Events of type " + EventTypes.SENSOR_READINGS + " whose data is a readings batch.")
    @APIResponse(responseCode = "202", description = "Every event's readings are in Kafka")
    public CompletionStage<Response> post(HttpHeaders headers, byte[] body) {
        Device device = authenticator.authenticate(headers.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (body != null && body.length > config.limits().maxBodyBytes()) {
            throw IngestException.of(Kind.TOO_LARGE, "the body has " + body.length + " bytes; at most "
                    + config.limits().maxBodyBytes() + " are accepted");
        }
        TokenLimit.check(body, config.limits().maxItemsPerRequest());
        List<CloudEvent> events = read(headers, body);
        return service.submit(() -> {
            List<IngestService.Prepared> prepared = new ArrayList<>();
            int items = 0;
            for (int i = 0; i < events.size(); i++) {
                IngestService.Prepared one = prepare(device, events.get(i), events.size() > 1 ? "/" + i : "");
                items += one.items();
                prepared.add(one);
            }
            // The limit is per request, however many events carry the items.
            if (items > config.limits().maxItemsPerRequest()) {
                throw IngestException.of(Kind.TOO_LARGE, "the " + events.size() + " events hold " + items
                        + " items together; at most " + config.limits().maxItemsPerRequest() + " are accepted per request");
            }
            return prepared;
        }).thenApply(result -> Response.accepted(result).type(MediaType.APPLICATION_JSON).build());
    }

    private IngestService.Prepared prepare(Device device, CloudEvent event, String at) {
        String label = at.isEmpty() ? "the event" : "event " + at;
        if (!EventTypes.SENSOR_READINGS.equals(event.getType())) {
            throw attributeError(at, "type", "is '" + event.getType() + "'; ingest accepts " + EventTypes.SENSOR_READINGS);
        }
        String contentType = event.getDataContentType();
        if (contentType != null && !MediaType.valueOf(contentType).isCompatible(MediaType.APPLICATION_JSON_TYPE)) {
            throw IngestException.of(Kind.UNSUPPORTED_MEDIA_TYPE, label + " has datacontenttype " + contentType
                    + "; the data must be application/json");
        }
        if (event.getData() == null) {
            throw attributeError(at, "data", "is missing");
        }
        JsonNode batch;
        try {
            batch = PayloadCodec.parse(event.getData().toBytes());
        } catch (EventException e) {
            throw IngestException.of(Kind.MALFORMED, label + ": " + e.getMessage());
        }
        Object greenhouse = event.getExtension(Extensions.GREENHOUSE_ID);
        if (greenhouse != null && !greenhouse.toString().equals(batch.path("greenhouseId").asText())) {
            throw attributeError(at, Extensions.GREENHOUSE_ID, "is " + greenhouse + " but the data is for greenhouse "
                    + batch.path("greenhouseId").asText());
        }
        Object zone = event.getExtension(Extensions.ZONE_ID);
        if (zone != null && !zone.toString().equals(batch.path("zoneId").asText())) {
            throw attributeError(at, Extensions.ZONE_ID, "is " + zone + " but the data is for zone "
                    + batch.path("zoneId").asText());
        }
        try {
            return service.prepare(device, batch, false, IngestService.Origin.event(event));
        } catch (IngestException e) {
            if (at.isEmpty() || e.errors().isEmpty()) {
                throw e;
            }
            List<ItemError> located = e.errors().stream()
                    .map(err -> new ItemError(at + "/data" + err.pointer(), err.index(), err.code(), err.reason())).toList();
            throw IngestException.invalid(e.kind(), label + ": " + e.getMessage(), located);
        }
    }

    private static List<CloudEvent> read(HttpHeaders headers, byte[] body) {
        String contentType = headers.getHeaderString(HttpHeaders.CONTENT_TYPE);
        if (contentType == null) {
            throw IngestException.of(Kind.UNSUPPORTED_MEDIA_TYPE, "a CloudEvent needs a Content-Type");
        }
        if (body == null || body.length == 0) {
            throw IngestException.of(Kind.MALFORMED, "the request has no body");
        }
        String mediaType = contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        try {
            if (mediaType.equals(BATCH)) {
                return readBatch(body);
            }
            Map<String, String> flat = new HashMap<>();
            List<Map.Entry<String, String>> all = new ArrayList<>();
            headers.getRequestHeaders().forEach((name, values) -> {
                if (!values.isEmpty()) {
                    flat.put(name.toLowerCase(Locale.ROOT), values.get(0));
                }
                values.forEach(v -> all.add(Map.entry(name, v)));
            });
            if (mediaType.equals(STRUCTURED)) {
                CloudEventAttributes.checkEnvelope(PayloadCodec.parse(body));
            } else if (!flat.containsKey("ce-specversion")) {
                throw IngestException.of(Kind.MALFORMED, "not a CloudEvent: binary mode needs ce-specversion, ce-id, "
                        + "ce-source and ce-type headers; structured mode needs Content-Type " + STRUCTURED);
            } else {
                CloudEventAttributes.checkHeaders(all, contentType);
            }
            return List.of(HttpMessageFactory.createReader(flat, body).toEvent());
        } catch (EventException e) {
            throw IngestException.of(Kind.MALFORMED, "not a valid CloudEvent: " + e.getMessage());
        } catch (CloudEventRWException | IllegalStateException | EventDeserializationException e) {
            // The SDK reports a missing required attribute with IllegalStateException.
            throw IngestException.of(Kind.MALFORMED, "not a valid CloudEvent: " + why(e));
        }
    }

    private static List<CloudEvent> readBatch(byte[] body) {
        JsonNode array;
        try {
            array = PayloadCodec.parse(body);
        } catch (EventException e) {
            throw IngestException.of(Kind.MALFORMED, "the batch is not JSON: " + e.getMessage());
        }
        if (!array.isArray() || array.isEmpty()) {
            throw IngestException.of(Kind.MALFORMED, "a CloudEvents batch is a non-empty JSON array of structured events");
        }
        EventFormat format = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE);
        List<CloudEvent> events = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            try {
                CloudEventAttributes.checkEnvelope(array.get(i));
            } catch (EventException e) {
                throw IngestException.invalid(Kind.MALFORMED, "event /" + i + " is not a valid CloudEvent: " + e.getMessage(),
                        List.of(ItemError.of("/" + i, "cloudevent", e.getMessage())));
            }
            try {
                events.add(format.deserialize(array.get(i).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            } catch (CloudEventRWException | IllegalStateException | EventDeserializationException e) {
                throw IngestException.invalid(Kind.MALFORMED, "event /" + i + " is not a valid CloudEvent",
                        List.of(ItemError.of("/" + i, "cloudevent", why(e))));
            }
        }
        return events;
    }

    /** The reason without the parser's class names. */
    private static String why(RuntimeException e) {
        Throwable cause = e.getCause();
        if (cause instanceof com.fasterxml.jackson.core.JsonProcessingException json) {
            return json.getOriginalMessage();
        }
        return e.getMessage();
    }

    private static IngestException attributeError(String at, String attribute, String message) {
        String label = at.isEmpty() ? "the event" : "event " + at;
        return IngestException.invalid(Kind.MALFORMED, label + ": attribute " + attribute + " " + message,
                List.of(ItemError.of(at + "/" + attribute, "attribute", message)));
    }
}
