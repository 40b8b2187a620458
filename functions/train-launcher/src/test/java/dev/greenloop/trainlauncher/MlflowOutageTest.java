package dev.greenloop.trainlauncher;

import dev.greenloop.events.EventType;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.ModelPromoted;
import dev.greenloop.testkit.quarkus.MongoResource;
import dev.greenloop.testkit.quarkus.OidcResource;
import dev.greenloop.testkit.quarkus.OwnMlflowResource;
import dev.greenloop.trainlauncher.launch.JobSpecs;
import dev.greenloop.trainlauncher.launch.TrainingPlan;
import dev.greenloop.trainlauncher.promote.MlflowRegistry;
import dev.greenloop.trainlauncher.store.TrainingRuns;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MLflow goes away while a training Job ends: the status event is answered 503 with the reason
 * (Knative redelivers it), nothing is recorded or moved; once MLflow is back, the redelivery
 * promotes the model as if nothing had happened.
 */
@QuarkusTest
@WithTestResource(value = OidcResource.class, initArgs = @ResourceArg(name = "audience", value = "greenloop-train-launcher"))
@WithTestResource(MongoResource.class)
@WithTestResource(OwnMlflowResource.class)
class MlflowOutageTest {

    @Inject
    JobSpecs specs;
    @Inject
    MlflowRegistry registry;
    @Inject
    TrainingRuns runs;

    @Test
    void aJobThatEndsWhileMlflowIsDownIsPromotedOnceMlflowIsBack() throws Exception {
        String greenhouse = "gh-o" + UUID.randomUUID().toString().substring(0, 6);
        TrainingPlan plan = TrainedRuns.trained(registry, runs, greenhouse, TrainedRuns.good(0.30, null, null),
                OwnMlflowResource.server().trackingUri().toString());
        String status = JobEvents.job(specs, plan, "Complete", null, null);

        OwnMlflowResource.server().stop();
        ExtractableResponse<Response> down = JobEvents.post("o-1", status);
        assertThat(down.statusCode()).as(down.asString()).isEqualTo(503);
        assertThat(down.contentType()).startsWith("application/problem+json");
        assertThat(down.jsonPath().getString("detail")).containsIgnoringCase("mlflow");
        assertThat(runs.run(plan.jobName()).orElseThrow().getString("status")).as("nothing recorded").isNotEqualTo("promoted");

        OwnMlflowResource.server().restart();
        ExtractableResponse<Response> back = JobEvents.post("o-1", status);

        assertThat(back.statusCode()).as(back.asString()).isEqualTo(200);
        assertThat(back.header("ce-type")).isEqualTo(EventTypes.MODEL_PROMOTED);
        ModelPromoted promoted = PayloadCodec.read(EventType.MODEL_PROMOTED, back.body().asByteArray());
        assertThat(promoted.modelVersion()).isEqualTo("1");
        assertThat(registry.aliasVersion("greenloop-" + greenhouse, "champion")).contains("1");
        assertThat(runs.run(plan.jobName()).orElseThrow().getString("status")).isEqualTo("promoted");
    }
}
