package dev.greenloop.control.http;

import dev.greenloop.control.ControlConfig;
import dev.greenloop.control.ControlException;
import dev.greenloop.control.ControlException.Kind;
import dev.greenloop.control.Controller;
import dev.greenloop.control.store.CommandRecord;
import dev.greenloop.control.store.ControlStore;
import dev.greenloop.events.EventException;
import dev.greenloop.events.signing.AckSignature;
import dev.greenloop.function.StrictJson;
import dev.greenloop.function.base.BodyValidation;
import io.smallrye.common.annotation.Blocking;
import jakarta.validation.Validator;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The command API: lineage and the report of unacknowledged commands for operators (bearer
 * token), and acknowledgements from gateways (signed with the greenhouse key, no token).
 */
@Path("/v1/commands")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class CommandsResource {

    private static final Logger LOG = Logger.getLogger(CommandsResource.class);
    /** An acknowledgement dated further than this from control's clock is not a mistake of skew: 400. */
    private static final Duration PLAUSIBLE = Duration.ofDays(1);

    private final ControlStore store;
    private final Controller controller;
    private final ControlConfig config;
    private final Clock clock;

    private final Validator validator;

    public CommandsResource(ControlStore store, Controller controller, ControlConfig config, Validator validator, Clock clock) {
        this.clock = clock;
        this.validator = validator;
        this.store = store;
        this.controller = controller;
        this.config = config;
    }

    public record Unacknowledged(int count, List<CommandView> commands) {
    }

    public record AckResult(String commandId, boolean recorded, CommandRecord.Ack ack) {
    }

    @GET
    @Path("/{id}/lineage")
    @Operation(summary = "A command with its chain: prediction, model version, feature window and reading event ids")
    @APIResponse(responseCode = "200", description = "The command and its lineage")
    @APIResponse(responseCode = "401", description = "No or wrong operator token")
    @APIResponse(responseCode = "404", description = "No such command")
    public CommandView lineage(@PathParam("id") String id, @HeaderParam("Authorization") String authorization) {
        operator(authorization);
        return CommandView.of(find(id));
    }

    @GET
    @Path("/unacknowledged")
    @Operation(summary = "Published commands past their expiry that no gateway acknowledged, oldest first")
    @APIResponse(responseCode = "200", description = "The commands (at most limit)")
    @APIResponse(responseCode = "401", description = "No or wrong operator token")
    public Unacknowledged unacknowledged(@QueryParam("greenhouseId") String greenhouseId, @QueryParam("limit") Integer limit,
                                         @HeaderParam("Authorization") String authorization) {
        operator(authorization);
        int n = limit == null ? 100 : limit;
        if (n < 1 || n > 1000) {
            throw new ControlException(Kind.INVALID_REQUEST, "limit must be between 1 and 1000, was " + n);
        }
        List<CommandView> commands = store.unacknowledged(greenhouseId, clock.instant(), n).stream().map(CommandView::of)
                .toList();
        return new Unacknowledged(commands.size(), commands);
    }

    @POST
    @Path("/{id}/ack")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "A gateway acknowledges a command, signed with its greenhouse key")
    @APIResponse(responseCode = "200", description = "Recorded (recorded=false: an earlier acknowledgement stands)")
    @APIResponse(responseCode = "400", description = "Missing or invalid fields")
    @APIResponse(responseCode = "403", description = "Signature invalid, key unknown or not the greenhouse's, or ackedAt outside the allowed skew")
    @APIResponse(responseCode = "404", description = "No such command")
    @APIResponse(responseCode = "415", description = "The body is not application/json")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = AckRequest.class)))
    public AckResult ack(@PathParam("id") String id, byte[] body) {
        AckRequest request;
        try {
            request = StrictJson.read(body, AckRequest.class);
        } catch (StrictJson.BodyException e) {
            throw new ControlException(Kind.INVALID_REQUEST, "an acknowledgement needs status, ackedAt, keyId and"
                    + " signature; " + e.getMessage(), e);
        }
        BodyValidation.check(validator, request, Kind.INVALID_REQUEST,
                "an acknowledgement needs status, ackedAt, keyId and signature");
        Instant now = Instant.now(clock);
        if (Duration.between(request.ackedAt(), now).abs().compareTo(PLAUSIBLE) > 0) {
            throw new ControlException(Kind.INVALID_REQUEST, "ackedAt " + request.ackedAt()
                    + " is not a plausible time: more than " + PLAUSIBLE.toDays() + " days from control's clock");
        }
        CommandRecord command = find(id);
        try {
            AckSignature.verify(controller.keys(), command.greenhouseId(), request.keyId(), id, request.status(),
                    request.ackedAt(), request.signature(), clock, config.ackSkew());
        } catch (EventException e) {
            LOG.infof("Acknowledgement of %s refused: %s", id, e.getMessage());
            throw new ControlException(Kind.BAD_SIGNATURE, e.getMessage(), e);
        }
        CommandRecord.Ack ack = new CommandRecord.Ack(request.status(), request.ackedAt(), Instant.now(clock),
                request.keyId());
        boolean recorded = store.acknowledge(id, ack);
        if (recorded) {
            LOG.infof("Command %s (%s/%s %s) acknowledged: %s", id, command.greenhouseId(), command.zoneId(),
                    command.actuator().wireName(), request.status());
        }
        return new AckResult(id, recorded, recorded ? ack : find(id).ack());
    }

    private CommandRecord find(String id) {
        return store.command(id).orElseThrow(() -> new ControlException(Kind.NOT_FOUND, "no command " + id));
    }

    private void operator(String authorization) {
        String token = config.operatorToken().filter(t -> !t.isBlank()).orElseThrow(() -> new ControlException(
                Kind.FORBIDDEN, "the operator endpoints are off: set greenloop.control.operator-token"));
        String presented = authorization != null && authorization.startsWith("Bearer ")
                ? authorization.substring("Bearer ".length()).trim() : null;
        if (presented == null || !MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
                token.getBytes(StandardCharsets.UTF_8))) {
            throw new ControlException(Kind.UNAUTHENTICATED, "an operator bearer token is required");
        }
    }
}
