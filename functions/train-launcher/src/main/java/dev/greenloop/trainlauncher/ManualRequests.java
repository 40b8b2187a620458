package dev.greenloop.trainlauncher;

import dev.greenloop.events.json.EventJson;
import dev.greenloop.events.payload.TrainingReason;
import dev.greenloop.function.StrictJson;
import dev.greenloop.function.base.BodyValidation;
import dev.greenloop.trainlauncher.launch.LaunchService;
import dev.greenloop.trainlauncher.launch.TrainingPlan;
import io.quarkus.vertx.web.Route;
import io.smallrye.common.annotation.Blocking;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.Validator;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.UUID;

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

    private static final java.util.regex.Pattern TEXT = java.util.regex.Pattern.compile("[\\x20-\\x7e]{1,128}");
    private static final int MAX_NOTE = 500;

    /**
     * The body of a manual request, read strictly ({@link StrictJson}: no unknown fields, no
     * numbers for text) and checked against its constraints ({@link BodyValidation}).
     */
    public record ManualRequest(
            @NotNull(message = "is required: the greenhouse to train") @Pattern(regexp = BodyValidation.ID,
                    message = BodyValidation.ID_MESSAGE) String greenhouseId,
            @Pattern(regexp = BodyValidation.ID, message = BodyValidation.ID_MESSAGE) String datasetId,
            @Size(max = MAX_NOTE, message = "must be at most " + MAX_NOTE + " characters")
            @Pattern(regexp = "[^\\x00-\\x09\\x0b-\\x1f]*", message = "must hold no control characters but new lines")
            String note) {
    }

    private final LaunchService launches;
    private final TrainLauncherConfig config;

    private final Validator validator;

    public ManualRequests(LaunchService launches, TrainLauncherConfig config, Validator validator) {
        this.launches = launches;
        this.config = config;
        this.validator = validator;
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
        ManualRequest body = BodyValidation.check(validator, StrictJson.read(bytes, ManualRequest.class),
                TrainLauncherException.Kind.INVALID_REQUEST, "invalid training request");
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
