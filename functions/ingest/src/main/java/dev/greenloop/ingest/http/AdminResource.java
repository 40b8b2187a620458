package dev.greenloop.ingest.http;

import dev.greenloop.function.base.BodyValidation;
import dev.greenloop.function.base.Problem;
import dev.greenloop.ingest.IngestConfig;
import dev.greenloop.ingest.IngestException;
import dev.greenloop.ingest.IngestException.ItemError;
import dev.greenloop.ingest.IngestException.Kind;
import dev.greenloop.ingest.auth.Authenticator;
import dev.greenloop.ingest.auth.Device;
import dev.greenloop.ingest.auth.DeviceRegistry;
import dev.greenloop.ingest.auth.Tokens;
import io.smallrye.common.annotation.Blocking;
import jakarta.validation.Validator;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * The admin API: register a device (its token is shown once, in the answer) and revoke one.
 * Protected by the admin token ({@code greenloop.ingest.auth.admin-token}); off without one.
 */
@Path("/v1/admin/devices")
@Blocking
public class AdminResource {

    private static final Logger LOG = Logger.getLogger(AdminResource.class);

    /**
     * A registration request. {@code backfill}: the device may send history in backfill mode
     * (older than live readings may be, and kept out of online features); give it to an
     * importer's identity, not to a live gateway's.
     */
    public record Registration(
            @NotNull(message = "is required") @Pattern(regexp = BodyValidation.ID, message = BodyValidation.ID_MESSAGE)
            String deviceId,
            @NotNull(message = "is required") @Pattern(regexp = BodyValidation.ID, message = BodyValidation.ID_MESSAGE)
            String greenhouseId,
            @NotEmpty(message = "must list at least one zone") @Size(max = 256, message = "must list at most 256 zones")
            List<@NotNull(message = "must be a zone id") @Pattern(regexp = BodyValidation.ID, message = BodyValidation.ID_MESSAGE)
                    String> zones,
            Boolean backfill) {
    }

    /** The registered device and its token, which is not stored and cannot be shown again. */
    public record Registered(String deviceId, String greenhouseId, List<String> zones, boolean backfill, String token) {
    }

    private final IngestConfig config;
    private final DeviceRegistry registry;
    private final Authenticator authenticator;

    private final Validator validator;

    public AdminResource(IngestConfig config, DeviceRegistry registry, Authenticator authenticator, Validator validator) {
        this.validator = validator;
        this.config = config;
        this.registry = registry;
        this.authenticator = authenticator;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    @SecurityRequirement(name = "adminToken")
    @Operation(summary = "Register a device, or give it a new token; the token is in this answer only")
    public Response register(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, Registration request) {
        requireAdmin(authorization);
        try {
            BodyValidation.check(validator, request, Kind.UNPROCESSABLE,
                    "a registration needs deviceId, greenhouseId and a non-empty list of zones, all valid ids");
        } catch (BodyValidation.InvalidBodyException e) {
            throw IngestException.invalid(Kind.UNPROCESSABLE, e.getMessage(), e.errors().stream().map(ItemError::of).toList());
        }
        String token = Tokens.newToken();
        boolean backfill = Boolean.TRUE.equals(request.backfill());
        registry.register(new Device(request.deviceId(), request.greenhouseId(), request.zones(), backfill), token);
        authenticator.invalidateAll();
        LOG.infof("Device %s registered for greenhouse %s, zones %s%s", request.deviceId(), request.greenhouseId(),
                request.zones(), backfill ? ", may backfill" : "");
        return Response.status(201).entity(new Registered(request.deviceId(), request.greenhouseId(), request.zones(),
                backfill, token)).build();
    }

    @DELETE
    @Path("/{deviceId}")
    @Produces(Problem.MEDIA_TYPE)
    @SecurityRequirement(name = "adminToken")
    @Operation(summary = "Revoke a device's token (effective on every instance within the token cache TTL)")
    public Response revoke(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                           @PathParam("deviceId") String deviceId) {
        requireAdmin(authorization);
        if (!registry.revoke(deviceId)) {
            throw IngestException.of(Kind.NOT_FOUND, "no device " + deviceId);
        }
        authenticator.invalidateAll();
        LOG.infof("Device %s revoked", deviceId);
        return Response.noContent().build();
    }

    private void requireAdmin(String authorization) {
        String expected = config.auth().adminToken().orElseThrow(() -> IngestException.of(Kind.NOT_FOUND,
                "the admin API is off; set greenloop.ingest.auth.admin-token to enable it"));
        String given = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7).trim() : "";
        if (!Tokens.constantTimeEquals(given, expected)) {
            throw IngestException.of(Kind.UNAUTHENTICATED, "the admin API needs 'Authorization: Bearer <admin token>'");
        }
    }
}
