package dev.greenloop.ingest.http;

import dev.greenloop.function.base.Problem;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.greenloop.events.EventException;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.json.ReadingsReader;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.ingest.IngestConfig;
import dev.greenloop.ingest.IngestException;
import dev.greenloop.ingest.IngestException.ItemError;
import dev.greenloop.ingest.IngestException.Kind;
import dev.greenloop.ingest.IngestResult;
import dev.greenloop.ingest.IngestService;
import dev.greenloop.ingest.auth.Authenticator;
import dev.greenloop.ingest.auth.Device;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

import java.util.List;
import java.util.concurrent.CompletionStage;

/** {@code POST /v1/greenhouses/{greenhouseId}/readings}: a device's batch of readings. */
@Path("/v1/greenhouses/{greenhouseId}/readings")
public class ReadingsResource {

    private final Authenticator authenticator;
    private final IngestService service;
    private final IngestConfig config;

    public ReadingsResource(Authenticator authenticator, IngestService service, IngestConfig config) {
        this.authenticator = authenticator;
        this.service = service;
        this.config = config;
    }

    @POST
    @Blocking
    @Consumes(MediaType.WILDCARD)
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    @SecurityRequirement(name = "deviceToken")
    @Operation(summary = "Send a batch of readings and actuator states from one device",
            description = "Answered 202 only after Kafka acknowledged every record. All-or-nothing unless "
                    + "partial=true. Implausible readings are accepted onto the quarantine topic.")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(ref = "https://greenloop.dev/schemas/readings-batch.v1.schema.json")))
    @APIResponse(responseCode = "202", description = "Every accepted item is in Kafka",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = IngestResult.class)))
    @APIResponse(responseCode = "400", description = "Not JSON, or not a readings batch", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "401", description = "Missing, unknown or revoked device token", content = @Content(mediaType = Problem.MEDIA_TYPE))
    @APIResponse(responseCode = "403", description = "The device may not report for this greenhouse or zone, or not backfill", content = @Content(mediaType = Problem.MEDIA_TYPE))
    @APIResponse(responseCode = "413", description = "Body or item count over the limit", content = @Content(mediaType = Problem.MEDIA_TYPE))
    @APIResponse(responseCode = "415", description = "Not application/json", content = @Content(mediaType = Problem.MEDIA_TYPE))
    @APIResponse(responseCode = "422", description = "Items with invalid values; every one listed", content = @Content(mediaType = Problem.MEDIA_TYPE))
    @APIResponse(responseCode = "429", description = "Device over its rate; see Retry-After", content = @Content(mediaType = Problem.MEDIA_TYPE))
    @APIResponse(responseCode = "503", description = "Overloaded, or Kafka did not acknowledge; resend after Retry-After", content = @Content(mediaType = Problem.MEDIA_TYPE))
    public CompletionStage<Response> post(
            @PathParam("greenhouseId") String greenhouseId,
            @Parameter(description = "Accept the valid items of a batch and report the rejected ones")
            @QueryParam("partial") @DefaultValue("false") boolean partial,
            @Parameter(description = "History imported on purpose: items up to backfill-max-age old are accepted, and they"
                    + " reach datasets but not online features or predictions. Only devices registered for backfill")
            @QueryParam("backfill") @DefaultValue("false") boolean backfill,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @HeaderParam("traceparent") String traceparent,
            byte[] body) {
        Device device = authenticator.authenticate(authorization);
        if (!device.greenhouseId().equals(greenhouseId)) {
            throw IngestException.of(Kind.FORBIDDEN, "device " + device.id() + " belongs to greenhouse "
                    + device.greenhouseId() + ", not " + greenhouseId);
        }
        requireJson(contentType);
        IngestService.Mode mode = backfill ? IngestService.Mode.BACKFILL : IngestService.Mode.LIVE;
        IngestService.Origin origin = IngestService.Origin.request(traceparent);
        if (body != null && body.length <= config.limits().maxBodyBytes()) {
            // Most batches are plain: one streaming pass, no tree, no schema walk. The rest (and
            // every refusal, with its pointers) take the full path below.
            ReadingsBatch plain = ReadingsReader.read(body, greenhouseId);
            if (plain != null && plain.greenhouseId().equals(greenhouseId)) {
                return accepted(() -> service.prepare(device, plain, partial, origin, mode));
            }
        }
        TokenLimit.check(body, config.limits().maxItemsPerRequest());
        JsonNode batch = parseBody(body, config.limits().maxBodyBytes());
        if (!batch.isObject()) {
            throw IngestException.of(Kind.MALFORMED, "the body must be a JSON object (a readings batch)");
        }
        JsonNode named = batch.get("greenhouseId");
        if (named == null) {
            ((ObjectNode) batch).put("greenhouseId", greenhouseId);
        } else if (!named.isTextual() || !named.asText().equals(greenhouseId)) {
            throw IngestException.invalid(Kind.UNPROCESSABLE, "the body's greenhouseId differs from the path",
                    List.of(ItemError.of("/greenhouseId", "const", "must be " + greenhouseId + " (as in the path) or absent")));
        }
        return accepted(() -> service.prepare(device, batch, partial, origin, mode));
    }

    /** Prepares and submits one batch; 202 with the result once Kafka acknowledged every record. */
    private CompletionStage<Response> accepted(java.util.function.Supplier<IngestService.Prepared> prepare) {
        return service.submit(() -> List.of(prepare.get()))
                .thenApply(result -> Response.accepted(result).type(MediaType.APPLICATION_JSON).build());
    }

    static void requireJson(String contentType) {
        if (contentType == null || !MediaType.valueOf(contentType).isCompatible(MediaType.APPLICATION_JSON_TYPE)) {
            throw IngestException.of(Kind.UNSUPPORTED_MEDIA_TYPE, "send the batch as application/json, not "
                    + (contentType == null ? "a body without Content-Type" : contentType));
        }
    }

    static JsonNode parseBody(byte[] body, int maxBytes) {
        if (body == null || body.length == 0) {
            throw IngestException.of(Kind.MALFORMED, "the request has no body");
        }
        if (body.length > maxBytes) {
            throw IngestException.of(Kind.TOO_LARGE, "the body has " + body.length + " bytes; at most " + maxBytes
                    + " are accepted");
        }
        try {
            return PayloadCodec.parse(body);
        } catch (EventException e) {
            throw IngestException.of(Kind.MALFORMED, e.getMessage());
        }
    }
}
