package dev.greenloop.ingest.http;

import dev.greenloop.ingest.IngestConfig;
import dev.greenloop.ingest.IngestException;
import dev.greenloop.ingest.IngestException.Kind;
import dev.greenloop.ingest.auth.Authenticator;
import dev.greenloop.ingest.auth.Device;
import dev.greenloop.ingest.auth.DeviceRegistry;
import dev.greenloop.ingest.auth.Tokens;
import io.smallrye.common.annotation.Blocking;
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
import java.util.regex.Pattern;

/**
 * The admin API: register a device (its token is shown once, in the answer) and revoke one.
 * Protected by the admin token ({@code greenloop.ingest.auth.admin-token}); off without one.
 */
@Path("/v1/admin/devices")
@Blocking
public class AdminResource {

    private static final Logger LOG = Logger.getLogger(AdminResource.class);
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    /**
     * A registration request. {@code backfill}: the device may send history in backfill mode
     * (older than live readings may be, and kept out of online features); give it to an
     * importer's identity, not to a live gateway's.
     */
    public record Registration(String deviceId, String greenhouseId, List<String> zones, Boolean backfill) {
    }

    /** The registered device and its token, which is not stored and cannot be shown again. */
    public record Registered(String deviceId, String greenhouseId, List<String> zones, boolean backfill, String token) {
    }

    private final IngestConfig config;
    private final DeviceRegistry registry;
    private final Authenticator authenticator;

    public AdminResource(IngestConfig config, DeviceRegistry registry, Authenticator authenticator) {
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
        if (request == null || request.deviceId() == null || !ID.matcher(request.deviceId()).matches()
                || request.greenhouseId() == null || !ID.matcher(request.greenhouseId()).matches()
                || request.zones() == null || request.zones().isEmpty()
                || !request.zones().stream().allMatch(z -> z != null && ID.matcher(z).matches())) {
            throw IngestException.of(Kind.UNPROCESSABLE,
                    "a registration needs deviceId, greenhouseId and a non-empty list of zones, all valid ids");
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
