package dev.greenloop.trainlauncher;

import dev.greenloop.events.EventType;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.DriftDetected;
import dev.greenloop.events.payload.ModelPromoted;
import dev.greenloop.events.payload.TrainingCompleted;
import dev.greenloop.testkit.quarkus.MlflowResource;
import dev.greenloop.testkit.quarkus.MongoResource;
import dev.greenloop.testkit.quarkus.OidcResource;
import dev.greenloop.trainlauncher.launch.JobSpecs;
import dev.greenloop.trainlauncher.launch.TrainingPlan;
import dev.greenloop.trainlauncher.promote.MlflowRegistry;
import dev.greenloop.trainlauncher.store.TrainingRuns;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code gate.realised-evidence}: a candidate that passes the offline gate becomes the
 * challenger, and only monitor's realised head-to-head ({@code drift.detected}, challenger_gain)
 * makes it the champion.
 */
@QuarkusTest
@TestProfile(RealisedEvidenceTest.Realised.class)
@WithTestResource(value = OidcResource.class, initArgs = @ResourceArg(name = "audience", value = "greenloop-train-launcher"))
@WithTestResource(MongoResource.class)
@WithTestResource(MlflowResource.class)
class RealisedEvidenceTest {

    public static class Realised implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("greenloop.train-launcher.gate.realised-evidence", "true",
                    "greenloop.train-launcher.mongodb.database", "train-launcher-realised");
        }
    }

    @Inject
    JobSpecs specs;
    @Inject
    MlflowRegistry registry;
    @Inject
    TrainingRuns runs;

    private static ExtractableResponse<Response> drift(String greenhouse, String champion, String metric) {
        DriftDetected d = new DriftDetected(greenhouse, "zone-1", "greenloop-" + greenhouse, champion, metric, 1.3, 1.1,
                Instant.parse("2026-06-20T12:00:00Z"), Instant.parse("2026-06-21T12:00:00Z"));
        return given().header("ce-specversion", "1.0").header("ce-id", UUID.randomUUID().toString()).header("ce-source", "/greenloop/monitor")
                .header("ce-type", EventTypes.DRIFT_DETECTED).contentType("application/json")
                .body(new String(PayloadCodec.write(d), StandardCharsets.UTF_8)).post("/").then().extract();
    }

    @Test
    void aBetterCandidateIsTheChallengerUntilMonitorFindsItBetterOnLiveData() throws Exception {
        String greenhouse = "gh-r" + UUID.randomUUID().toString().substring(0, 6);
        String model = "greenloop-" + greenhouse;
        TrainingPlan first = TrainedRuns.trained(registry, runs, greenhouse, TrainedRuns.good(0.30, null, null));
        assertThat(JobEvents.post("e-1", JobEvents.job(specs, first, "Complete", null, null)).header("ce-type"))
                .as("the first model is promoted at once").isEqualTo(EventTypes.MODEL_PROMOTED);

        TrainingPlan better = TrainedRuns.trained(registry, runs, greenhouse, TrainedRuns.good(0.25, 1.0, 0.30));
        ExtractableResponse<Response> offline = JobEvents.post("e-2", JobEvents.job(specs, better, "Complete", null, null));
        assertThat(offline.header("ce-type")).isEqualTo(EventTypes.TRAINING_COMPLETED);
        TrainingCompleted completed = PayloadCodec.read(EventType.TRAINING_COMPLETED, offline.body().asByteArray());
        assertThat(completed.promoted()).isFalse();
        assertThat(completed.reason()).contains("the challenger now");
        assertThat(registry.aliasVersion(model, "champion")).contains("1");
        assertThat(registry.aliasVersion(model, "challenger")).contains("2");

        // Evidence about another champion (an old event) moves nothing.
        assertThat(drift(greenhouse, "7", "challenger_gain:zone-1/air_temperature_15m").statusCode()).isEqualTo(204);
        assertThat(registry.aliasVersion(model, "champion")).contains("1");

        ExtractableResponse<Response> won = drift(greenhouse, "1", "challenger_gain:zone-1/air_temperature_15m");
        assertThat(won.statusCode()).as(won.asString()).isEqualTo(200);
        assertThat(won.header("ce-type")).isEqualTo(EventTypes.MODEL_PROMOTED);
        ModelPromoted promoted = PayloadCodec.read(EventType.MODEL_PROMOTED, won.body().asByteArray());
        assertThat(promoted.modelVersion()).isEqualTo("2");
        assertThat(promoted.previousVersion()).isEqualTo("1");
        assertThat(promoted.runId()).isEqualTo(better.runId());
        assertThat(registry.aliasVersion(model, "champion")).contains("2");
        assertThat(registry.aliasVersion(model, "previous")).contains("1");
        assertThat(registry.aliasVersion(model, "challenger")).isEmpty();

        // The same evidence again: the champion it names is not the champion any more.
        assertThat(drift(greenhouse, "1", "challenger_gain:zone-1/air_temperature_15m").statusCode()).isEqualTo(204);
        assertThat(registry.aliasVersion(model, "champion")).contains("2");
    }
}
