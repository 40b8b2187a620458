package dev.greenloop.trainlauncher;

import dev.greenloop.events.json.EventJson;
import dev.greenloop.events.payload.TrainingReason;
import dev.greenloop.function.StrictJson;
import dev.greenloop.trainlauncher.launch.LaunchService;
import dev.greenloop.trainlauncher.launch.TrainingPlan;
import io.quarkus.vertx.web.Route;
import io.smallrye.common.annotation.Blocking;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@code POST /v1/training-requests}: train a greenhouse now, by hand. Needs the admin token.
 * Body {@code {"greenhouseId":"gh-1","datasetId":"...","note":"..."}} (dataset and note optional),
 * read strictly ({@link ManualRequest}): anything else is a 400 problem that names the field.
 * An {@code Idempotency-Key} header makes a resend start nothing new. Answers 202 with the Job
 * and MLflow run, 200 with {@code skipped} saying why when nothing starts (a run is going
 * already, or the greenhouse has no dataset yet), problems otherwise.
 */
@ApplicationScoped
public class ManualRequests {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    private static final Pattern TEXT = Pattern.compile("[\\x20-\\x7e]{1,128}");
    private static final int MAX_NOTE = 500;

    /**
     * The body of a manual request, read strictly ({@link StrictJson}: no unknown fields, no
     * numbers for text) and checked field by field.
     */
    public record ManualRequest(String greenhouseId, String datasetId, String note) {

        /** This request, or a 400 naming the first field that is wrong. */
        ManualRequest checked() {
            if (greenhouseId == null || !ID.matcher(greenhouseId).matches()) {
                throw invalid("/greenhouseId is required: 1 to 128 letters, digits, '.', '_', ':' or '-'");
            }
            if (datasetId != null && !ID.matcher(datasetId).matches()) {
                throw invalid("/datasetId must be 1 to 128 letters, digits, '.', '_', ':' or '-'");
            }
            if (note != null && (note.length() > MAX_NOTE || note.chars().anyMatch(c -> c < 0x20 && c != '\n'))) {
                throw invalid("/note must be at most " + MAX_NOTE + " characters without control characters");
            }
            return this;
        }

        private static TrainLauncherException invalid(String message) {
            return new TrainLauncherException(TrainLauncherException.Kind.INVALID_REQUEST, message);
        }
    }

    private final LaunchService launches;
    private final TrainLauncherConfig config;

    public ManualRequests(LaunchService launches, TrainLauncherConfig config) {
        this.launches = launches;
        this.config = config;
    }

    @Blocking
    @Route(path = "/v1/training-requests", methods = Route.HttpMethod.POST)
    void request(RoutingContext context) {
        String expected = config.adminToken().orElse(null);
        String given = Optional.ofNullable(context.request().getHeader("Authorization")).filter(h -> h.startsWith("Bearer "))
                .map(h -> h.substring(7).trim()).orElse("");
        if (expected == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                given.getBytes(StandardCharsets.UTF_8))) {
            throw new TrainLauncherException(TrainLauncherException.Kind.UNAUTHENTICATED, expected == null
                    ? "manual training requests are off; set greenloop.train-launcher.admin-token"
                    : "send 'Authorization: Bearer <admin token>'");
        }
        byte[] bytes = context.body().buffer() == null ? new byte[0] : context.body().buffer().getBytes();
        ManualRequest body = StrictJson.read(bytes, ManualRequest.class).checked();
        String key = context.request().getHeader("Idempotency-Key");
        if (key != null && !TEXT.matcher(key).matches()) {
            throw new TrainLauncherException(TrainLauncherException.Kind.INVALID_REQUEST,
                    "Idempotency-Key must be 1 to 128 printable characters");
        }
        LaunchService.Decision decision = launches.launch(new LaunchService.Request(body.greenhouseId(),
                TrainingReason.MANUAL, body.datasetId(), null, key != null ? "manual:" + key : UUID.randomUUID().toString(),
                body.note()));
        var reply = EventJson.mapper().createObjectNode();
        if (decision.launched()) {
            TrainingPlan p = decision.plan();
            reply.put("jobName", p.jobName()).put("runId", p.runId()).put("datasetId", p.datasetId());
        } else {
            reply.put("skipped", decision.skipped());
        }
        context.response().setStatusCode(decision.launched() ? 202 : 200).putHeader("Content-Type", "application/json")
                .end(reply.toString());
    }
}
