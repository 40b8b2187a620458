package dev.greenloop.trainlauncher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.events.json.EventJson;
import dev.greenloop.events.payload.TrainingReason;
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

/**
 * {@code POST /v1/training-requests}: train a greenhouse now, by hand. Needs the admin token.
 * Body {@code {"greenhouseId":"gh-1","datasetId":"...","note":"..."}} (dataset and note optional).
 * An {@code Idempotency-Key} header makes a resend start nothing new. Answers 202 with the Job
 * and MLflow run, 200 with {@code skipped} saying why when nothing starts (a run is going
 * already, or the greenhouse has no dataset yet), problems otherwise.
 */
@ApplicationScoped
public class ManualRequests {

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
        JsonNode body;
        try {
            body = EventJson.mapper().readTree(context.body().buffer() == null ? new byte[0] : context.body().buffer().getBytes());
        } catch (java.io.IOException e) {
            throw new TrainLauncherException(TrainLauncherException.Kind.INVALID_REQUEST, "the body is not JSON: " + e.getMessage());
        }
        String greenhouse = body == null ? null : body.path("greenhouseId").asText(null);
        if (greenhouse == null || !greenhouse.matches("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")) {
            throw new TrainLauncherException(TrainLauncherException.Kind.INVALID_REQUEST, "greenhouseId is required");
        }
        String key = context.request().getHeader("Idempotency-Key");
        LaunchService.Decision decision = launches.launch(new LaunchService.Request(greenhouse, TrainingReason.MANUAL,
                body.path("datasetId").asText(null), null, key != null ? "manual:" + key : UUID.randomUUID().toString(),
                body.path("note").asText(null)));
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
