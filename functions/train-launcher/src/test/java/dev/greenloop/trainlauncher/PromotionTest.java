package dev.greenloop.trainlauncher;

import io.quarkus.test.common.ResourceArg;
import dev.greenloop.testkit.quarkus.OidcResource;
import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.events.EventType;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.json.EventJson;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.ModelPromoted;
import dev.greenloop.events.payload.TrainingCompleted;
import dev.greenloop.events.payload.TrainingFailed;
import dev.greenloop.testkit.quarkus.MlflowResource;
import dev.greenloop.testkit.quarkus.MongoResource;
import dev.greenloop.trainlauncher.launch.JobSpecs;
import dev.greenloop.trainlauncher.launch.TrainingPlan;
import dev.greenloop.trainlauncher.promote.MlflowRegistry;
import dev.greenloop.trainlauncher.store.TrainingRuns;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Job status events against the real MLflow server: the gate, the alias moves and the replies. */
@QuarkusTest
@WithTestResource(value = OidcResource.class, initArgs = @ResourceArg(name = "audience", value = "greenloop-train-launcher"))
@WithTestResource(MongoResource.class)
@WithTestResource(MlflowResource.class)
class PromotionTest {

    @Inject
    JobSpecs specs;
    @Inject
    MlflowRegistry registry;
    @Inject
    TrainingRuns runs;

    private JsonNode body(ExtractableResponse<Response> r) throws Exception {
        return EventJson.mapper().readTree(r.body().asByteArray());
    }

    @Test
    void successesPromoteWorseCandidatesDoNotAndFailuresSayWhy() throws Exception {
        String greenhouse = "gh-p" + UUID.randomUUID().toString().substring(0, 6);
        String model = "greenloop-" + greenhouse;

        // 1. First model, better than persistence: champion.
        TrainingPlan first = TrainedRuns.trained(registry, runs, greenhouse, TrainedRuns.good(0.30, null, null));
        ExtractableResponse<Response> r1 = JobEvents.post("s-1", JobEvents.job(specs, first, "Complete", null, null));
        assertThat(r1.statusCode()).as(r1.asString()).isEqualTo(200);
        assertThat(r1.header("ce-type")).isEqualTo(EventTypes.MODEL_PROMOTED);
        assertThat(r1.header("ce-causationid")).isEqualTo("s-1");
        ModelPromoted p1 = PayloadCodec.read(EventType.MODEL_PROMOTED, r1.body().asByteArray());
        assertThat(p1.modelVersion()).isEqualTo("1");
        assertThat(p1.previousVersion()).isNull();
        assertThat(p1.runId()).isEqualTo(first.runId());
        assertThat(registry.aliasVersion(model, "champion")).contains("1");

        // 2. Worse than the champion on the same split: completed, not promoted.
        TrainingPlan second = TrainedRuns.trained(registry, runs, greenhouse, TrainedRuns.good(0.35, 1.0, 0.30));
        ExtractableResponse<Response> r2 = JobEvents.post("s-2", JobEvents.job(specs, second, "Complete", null, null));
        assertThat(r2.header("ce-type")).isEqualTo(EventTypes.TRAINING_COMPLETED);
        TrainingCompleted c2 = PayloadCodec.read(EventType.TRAINING_COMPLETED, r2.body().asByteArray());
        assertThat(c2.promoted()).isFalse();
        assertThat(c2.modelVersion()).isEqualTo("2");
        assertThat(c2.reason()).contains("air_temperature MAE 0.350 is worse than champion version 1's 0.300");
        assertThat(registry.aliasVersion(model, "champion")).contains("1");

        // 3. Better than the champion: promoted, the old champion becomes previous.
        TrainingPlan third = TrainedRuns.trained(registry, runs, greenhouse, TrainedRuns.good(0.25, 1.0, 0.30));
        ExtractableResponse<Response> r3 = JobEvents.post("s-3", JobEvents.job(specs, third, "Complete", null, null));
        ModelPromoted p3 = PayloadCodec.read(EventType.MODEL_PROMOTED, r3.body().asByteArray());
        assertThat(p3.modelVersion()).isEqualTo("3");
        assertThat(p3.previousVersion()).isEqualTo("1");
        assertThat(p3.metrics()).containsEntry("mae_air_temperature", 0.25);
        assertThat(registry.aliasVersion(model, "champion")).contains("3");
        assertThat(registry.aliasVersion(model, "previous")).contains("1");

        // 4. The same status event again: the same reply, nothing moves.
        ExtractableResponse<Response> again = JobEvents.post("s-3", JobEvents.job(specs, third, "Complete", null, null));
        assertThat(again.header("ce-id")).isEqualTo(r3.header("ce-id"));
        assertThat(body(again)).isEqualTo(body(r3));
        assertThat(registry.aliasVersion(model, "champion")).contains("3");
        assertThat(registry.aliasVersion(model, "previous")).contains("1");
        // And the first one, replayed after later promotions, still says what it said.
        assertThat(body(JobEvents.post("s-1", JobEvents.job(specs, first, "Complete", null, null)))).isEqualTo(body(r1));

        // 5. Not better than persistence by the margin.
        Map<String, Double> weak = TrainedRuns.good(0.57, 3.0, 0.58);
        TrainingPlan fourth = TrainedRuns.trained(registry, runs, greenhouse, weak);
        TrainingCompleted c4 = PayloadCodec.read(EventType.TRAINING_COMPLETED,
                JobEvents.post("s-4", JobEvents.job(specs, fourth, "Complete", null, null)).body().asByteArray());
        assertThat(c4.reason()).contains("is not 10% below persistence 0.600");
        assertThat(registry.aliasVersion(model, "champion")).contains("3");
    }

    /**
     * Each version serves the targets its {@code targets} tag names: a candidate better on air
     * temperature that would drop CO2, which the champion still forecasts well, is refused; a run
     * the trainer registered nothing for (no target beat persistence) replies why.
     */
    @Test
    void versionsServeTheTargetsTheirTagsNameAndARunWithoutAVersionSaysWhy() throws Exception {
        String greenhouse = "gh-t" + UUID.randomUUID().toString().substring(0, 6);
        String model = "greenloop-" + greenhouse;

        TrainingPlan first = TrainedRuns.trained(registry, runs, greenhouse, TrainedRuns.good(0.30, null, null));
        TrainedRuns.serves(model, "1", "air_temperature,co2");
        ExtractableResponse<Response> r1 = JobEvents.post("t-1", JobEvents.job(specs, first, "Complete", null, null));
        ModelPromoted p1 = PayloadCodec.read(EventType.MODEL_PROMOTED, r1.body().asByteArray());
        assertThat(p1.modelVersion()).isEqualTo("1");

        Map<String, Double> better = TrainedRuns.good(0.25, 1.0, 0.30);
        better.put("champion_mae_co2", 12.0);
        TrainingPlan second = TrainedRuns.trained(registry, runs, greenhouse, better);
        TrainedRuns.serves(model, "2", "air_temperature");
        TrainingCompleted c2 = PayloadCodec.read(EventType.TRAINING_COMPLETED,
                JobEvents.post("t-2", JobEvents.job(specs, second, "Complete", null, null)).body().asByteArray());
        assertThat(c2.promoted()).isFalse();
        assertThat(c2.reason()).isEqualTo("it drops co2, which champion version 1 still forecasts 60% below persistence "
                + "(12.000, persistence 30.000) on the same test split");
        assertThat(registry.aliasVersion(model, "champion")).contains("1");

        // Served with CO2 as well, the same candidate is promoted.
        TrainingPlan third = TrainedRuns.trained(registry, runs, greenhouse, better);
        TrainedRuns.serves(model, "3", "air_temperature,co2");
        ModelPromoted p3 = PayloadCodec.read(EventType.MODEL_PROMOTED,
                JobEvents.post("t-3", JobEvents.job(specs, third, "Complete", null, null)).body().asByteArray());
        assertThat(p3.modelVersion()).isEqualTo("3");

        String why = "no target is 10% below persistence: air_temperature MAE 0.590 is not 10% below persistence 0.600";
        TrainingPlan fourth = TrainedRuns.unregistered(registry, runs, greenhouse, Map.of("onnx_parity", 0.0,
                "mae_air_temperature", 0.59, "mae_persistence_air_temperature", 0.60, "served_air_temperature", 0.0),
                Map.of("greenloop.refused", why));
        TrainingCompleted c4 = PayloadCodec.read(EventType.TRAINING_COMPLETED,
                JobEvents.post("t-4", JobEvents.job(specs, fourth, "Complete", null, null)).body().asByteArray());
        assertThat(c4.promoted()).isFalse();
        assertThat(c4.modelVersion()).isNull();
        assertThat(c4.reason()).isEqualTo("the run registered no model version: " + why);
        assertThat(c4.metrics()).containsEntry("served_air_temperature", 0.0);
        assertThat(registry.aliasVersion(model, "champion")).contains("3");
    }

    /**
     * A handler killed between the two alias moves (previous moved, champion not) or after both
     * (nothing recorded): the redelivered status event converges on one consistent pair,
     * champion the new version and previous the old one, and replies model.promoted.
     */
    @Test
    void aHandlerKilledBetweenOrAfterTheAliasMovesConvergesOnRedelivery() throws Exception {
        String greenhouse = "gh-k" + UUID.randomUUID().toString().substring(0, 6);
        String model = "greenloop-" + greenhouse;
        TrainingPlan first = TrainedRuns.trained(registry, runs, greenhouse, TrainedRuns.good(0.30, null, null));
        assertThat(JobEvents.post("k-1", JobEvents.job(specs, first, "Complete", null, null)).header("ce-type"))
                .isEqualTo(EventTypes.MODEL_PROMOTED);

        // Killed between the moves: previous already names version 1, champion still does too.
        TrainingPlan second = TrainedRuns.trained(registry, runs, greenhouse, TrainedRuns.good(0.25, 1.0, 0.30));
        registry.setAlias(model, "previous", "1");
        ExtractableResponse<Response> r2 = JobEvents.post("k-2", JobEvents.job(specs, second, "Complete", null, null));
        ModelPromoted p2 = PayloadCodec.read(EventType.MODEL_PROMOTED, r2.body().asByteArray());
        assertThat(p2.modelVersion()).isEqualTo("2");
        assertThat(p2.previousVersion()).isEqualTo("1");
        assertThat(registry.aliasVersion(model, "champion")).contains("2");
        assertThat(registry.aliasVersion(model, "previous")).contains("1");

        // Killed after both moves, before the outcome was recorded: the redelivery sees its own
        // version as champion and says so, moving nothing.
        TrainingPlan third = TrainedRuns.trained(registry, runs, greenhouse, TrainedRuns.good(0.20, 2.0, 0.25));
        registry.setAlias(model, "previous", "2");
        registry.setAlias(model, "champion", "3");
        ExtractableResponse<Response> r3 = JobEvents.post("k-3", JobEvents.job(specs, third, "Complete", null, null));
        ModelPromoted p3 = PayloadCodec.read(EventType.MODEL_PROMOTED, r3.body().asByteArray());
        assertThat(p3.modelVersion()).isEqualTo("3");
        assertThat(p3.previousVersion()).isEqualTo("2");
        assertThat(registry.aliasVersion(model, "champion")).contains("3");
        assertThat(registry.aliasVersion(model, "previous")).contains("2");
        assertThat(runs.run(third.jobName()).orElseThrow().getString("status")).isEqualTo("promoted");
    }

    @Test
    void aFailedJobRepliesTrainingFailedWithTheReasonFromItsConditions() throws Exception {
        String greenhouse = "gh-f" + UUID.randomUUID().toString().substring(0, 6);
        TrainingPlan plan = TrainedRuns.trained(registry, runs, greenhouse, Map.of());

        ExtractableResponse<Response> r = JobEvents.post("f-1", JobEvents.job(specs, plan, "Failed", "PodFailurePolicy",
                "Container trainer for pod greenloop/x failed with exit code 2 matching FailJob rule at index 0"));

        assertThat(r.header("ce-type")).isEqualTo(EventTypes.TRAINING_FAILED);
        TrainingFailed failed = PayloadCodec.read(EventType.TRAINING_FAILED, r.body().asByteArray());
        assertThat(failed.reason()).startsWith("PodFailurePolicy: Container trainer").contains("exit code 2");
        assertThat(failed.retriable()).isFalse();
        assertThat(failed.jobName()).isEqualTo(plan.jobName());
        assertThat(runs.run(plan.jobName()).orElseThrow().getString("status")).isEqualTo("failed");
    }

    @Test
    void aRunningJobAndAForeignJobGetNoReply() {
        TrainingPlan plan = new TrainingPlan("train-x-1", "gh-x", "r1", "greenloop-gh-x", "ds", "{}", "c", "manual");

        assertThat(JobEvents.post("r-1", JobEvents.job(specs, plan, null, null, null)).statusCode()).isEqualTo(204);
        assertThat(JobEvents.post("r-2", "{\"metadata\":{\"name\":\"other\"},\"status\":{\"conditions\":"
                + "[{\"type\":\"Complete\",\"status\":\"True\"}]}}").statusCode()).isEqualTo(204);
    }
}
