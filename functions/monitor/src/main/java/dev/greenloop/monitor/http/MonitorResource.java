package dev.greenloop.monitor.http;

import dev.greenloop.function.base.BodyValidation;
import dev.greenloop.function.base.Problem;
import dev.greenloop.monitor.MonitorException;
import dev.greenloop.monitor.MonitorException.Kind;
import dev.greenloop.monitor.drift.DriftAnalysis;
import dev.greenloop.monitor.outcome.Accuracy;
import dev.greenloop.monitor.outcome.OutcomeStore;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The operator's read API ({@code Authorization: Bearer <operator token>}; off without a token):
 * a greenhouse's realised accuracy per zone, target, model version and hour with the
 * champion/challenger head-to-head, and its champion's feature drift. Errors are problems.
 */
@Path("/v1/greenhouses/{greenhouseId}")
@Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
@Blocking
public class MonitorResource {

    private static final Pattern ID = Pattern.compile(BodyValidation.ID);

    /** Realised accuracy since {@code since}: per hour, and the head-to-head over the same span. */
    public record AccuracyAnswer(String greenhouseId, Instant since, List<Accuracy.Hour> hours,
                                 List<Accuracy.HeadToHead> headToHead) {
    }

    /** The champion's drift, and the last decay event monitor announced. */
    public record DriftAnswer(String greenhouseId, DriftAnalysis.Report champion, Map<String, Object> lastDecay) {
    }

    private final OutcomeStore store;
    private final DriftAnalysis drift;
    private final OperatorToken operator;
    private final Clock clock;

    public MonitorResource(OutcomeStore store, DriftAnalysis drift, OperatorToken operator, Clock clock) {
        this.clock = clock;
        this.store = store;
        this.drift = drift;
        this.operator = operator;
    }

    @GET
    @Path("/accuracy")
    @Operation(summary = "Realised accuracy against persistence, per zone, target, model version and hour")
    @APIResponse(responseCode = "200", description = "The hours and the head-to-head (empty when nothing was scored)")
    @APIResponse(responseCode = "400", description = "An invalid id or time")
    @APIResponse(responseCode = "401", description = "No or the wrong operator token")
    @APIResponse(responseCode = "403", description = "The read API is off (no operator token configured)")
    public AccuracyAnswer accuracy(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                   @PathParam("greenhouseId") String greenhouse, @QueryParam("zone") String zone,
                                   @QueryParam("target") String target, @QueryParam("modelVersion") String modelVersion,
                                   @QueryParam("since") String since) {
        operator.require(authorization);
        id("greenhouseId", greenhouse);
        Optional.ofNullable(zone).ifPresent(z -> id("zone", z));
        Optional.ofNullable(target).ifPresent(t -> id("target", t));
        Optional.ofNullable(modelVersion).ifPresent(v -> id("modelVersion", v));
        Instant from = since == null ? Instant.now(clock).minus(Duration.ofHours(24)) : instant(since);
        Accuracy.Hourly hourly = new Accuracy.Hourly();
        Accuracy.Pairs pairs = new Accuracy.Pairs();
        store.forEachOutcome(greenhouse, from, zone, target, modelVersion, o -> {
            hourly.add(o);
            pairs.add(o);
        });
        return new AccuracyAnswer(greenhouse, from, hourly.result(), pairs.result());
    }

    @GET
    @Path("/drift")
    @Operation(summary = "The champion's feature drift against its training profile, and the last decay event")
    @APIResponse(responseCode = "200", description = "champion is absent when no champion or no profile is known")
    public DriftAnswer drift(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                             @PathParam("greenhouseId") String greenhouse, @QueryParam("at") String at) {
        operator.require(authorization);
        id("greenhouseId", greenhouse);
        Instant now = at == null ? store.latestWindowEnd(greenhouse).orElse(Instant.now(clock)) : instant(at);
        return new DriftAnswer(greenhouse, drift.champion(greenhouse, now).orElse(null),
                store.lastDecay(greenhouse).map(d -> (Map<String, Object>) d).orElse(null));
    }

    private static void id(String name, String value) {
        if (!ID.matcher(value).matches()) {
            throw new MonitorException(Kind.INVALID_REQUEST, name + " " + BodyValidation.ID_MESSAGE);
        }
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new MonitorException(Kind.INVALID_REQUEST, "since/at must be an RFC 3339 time in UTC, like"
                    + " 2026-06-21T12:00:00Z; was '" + (text.length() > 40 ? text.substring(0, 40) + "…" : text) + "'");
        }
    }
}
