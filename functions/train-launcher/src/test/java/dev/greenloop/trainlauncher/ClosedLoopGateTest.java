package dev.greenloop.trainlauncher;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.greenloop.events.EventType;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.json.PayloadCodec;
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
import org.bson.Document;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The closed-loop gate through the Job status path, with models that have a real model.onnx:
 * each forecasts the measured air temperature plus a bias, so a cold bias makes control heat the
 * crop out of its band and an unbiased one behaves like the champion.
 */
@QuarkusTest
@TestProfile(ClosedLoopGateTest.Gated.class)
@WithTestResource(value = OidcResource.class, initArgs = @ResourceArg(name = "audience", value = "greenloop-train-launcher"))
@WithTestResource(MongoResource.class)
@WithTestResource(MlflowResource.class)
@WithTestResource(TrainerResource.class)
class ClosedLoopGateTest {

    public static class Gated implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("greenloop.train-launcher.gate.closed-loop.enabled", "true",
                    "greenloop.train-launcher.gate.closed-loop.length", "1d",
                    "greenloop.train-launcher.targets", "air_temperature",
                    "greenloop.train-launcher.mongodb.database", "train-launcher-closed-loop");
        }
    }

    @Inject
    JobSpecs specs;
    @Inject
    MlflowRegistry registry;
    @Inject
    TrainingRuns runs;
    @ConfigProperty(name = "greenloop.train-launcher.mongodb.connection-string")
    String mongo;

    private static Map<String, Double> offline(Double championVersion) {
        Map<String, Double> m = new java.util.HashMap<>(Map.of("onnx_parity", 1.0, "mae_air_temperature", 0.30,
                "mae_persistence_air_temperature", 0.60));
        if (championVersion != null) {
            m.put("champion_version", championVersion);
            m.put("champion_mae_air_temperature", 0.40);
        }
        return m;
    }

    /** A warmer crop than the simulator's climate computer keeps, in both zones, as control reads it. */
    private void crop(String greenhouse, Document extra) {
        try (MongoClient client = MongoClients.create(mongo)) {
            var zones = client.getDatabase("train-launcher-closed-loop").getCollection("control_zones");
            for (String zone : new String[] {"zone-1", "zone-2"}) {
                Document settings = new Document("_id", greenhouse + "/" + zone)
                        .append("dayTemperature", new Document("low", 22).append("high", 26))
                        .append("nightTemperature", new Document("low", 18.5).append("high", 21));
                settings.putAll(extra);
                zones.insertOne(settings);
            }
        }
    }

    @Test
    void aCandidateThatForecastsTooColdIsRefusedAndOneAsGoodAsTheChampionIsPromoted() throws Exception {
        String greenhouse = "gh-cl" + UUID.randomUUID().toString().substring(0, 6);
        String model = "greenloop-" + greenhouse;
        crop(greenhouse, new Document());

        // The first model: judged beside the thermostat, not against it.
        TrainingPlan first = TrainedRuns.withModel(registry, runs, greenhouse, offline(null), 0);
        ExtractableResponse<Response> r1 = JobEvents.post("c-1", JobEvents.job(specs, first, "Complete", null, null));
        assertThat(r1.statusCode()).as(r1.asString()).isEqualTo(200);
        ModelPromoted p1 = PayloadCodec.read(EventType.MODEL_PROMOTED, r1.body().asByteArray());
        assertThat(p1.metrics()).containsKeys("closed_loop_candidate_in_band", "closed_loop_thermostat_in_band")
                .doesNotContainKey("closed_loop_champion_in_band");
        assertThat(registry.metrics(first.runId())).containsEntry("closed_loop_candidate_violations", 0.0)
                .containsEntry("closed_loop_days", 1.0);
        String champion = p1.modelVersion();

        // Forecasts 3 °C colder than it is: control heats on every window and overshoots the band.
        TrainingPlan cold = TrainedRuns.withModel(registry, runs, greenhouse, offline(Double.valueOf(champion)), -3);
        ExtractableResponse<Response> r2 = JobEvents.post("c-2", JobEvents.job(specs, cold, "Complete", null, null));
        assertThat(r2.header("ce-type")).isEqualTo(EventTypes.TRAINING_COMPLETED);
        TrainingCompleted c2 = PayloadCodec.read(EventType.TRAINING_COMPLETED, r2.body().asByteArray());
        assertThat(c2.promoted()).isFalse();
        assertThat(c2.reason()).contains("closed loop over 1 day(s)").contains("than champion version " + champion);
        assertThat(c2.reason()).contains("% of the time");
        assertThat(c2.metrics().get("closed_loop_candidate_in_band"))
                .isLessThan(c2.metrics().get("closed_loop_champion_in_band") - 0.02);
        assertThat(registry.metrics(cold.runId())).containsKeys("closed_loop_candidate_heating_energy",
                "closed_loop_champion_heating_energy", "closed_loop_thermostat_heating_energy");
        assertThat(registry.aliasVersion(model, "champion")).contains(champion);

        // The champion's own forecasts again, its weights stored as external data beside model.onnx
        // (mlflow.onnx.log_model's default for large tensors): loaded from the files together, the
        // same figures, so within the margins: promoted.
        TrainingPlan same = TrainedRuns.withModel(registry, runs, greenhouse, offline(Double.valueOf(champion)), 0,
                "--external-data");
        ExtractableResponse<Response> r3 = JobEvents.post("c-3", JobEvents.job(specs, same, "Complete", null, null));
        assertThat(r3.header("ce-type")).as(r3.asString()).isEqualTo(EventTypes.MODEL_PROMOTED);
        ModelPromoted p3 = PayloadCodec.read(EventType.MODEL_PROMOTED, r3.body().asByteArray());
        assertThat(p3.metrics().get("closed_loop_candidate_in_band")).isEqualTo(p3.metrics().get("closed_loop_champion_in_band"));
        assertThat(registry.aliasVersion(model, "champion")).contains(p3.modelVersion());
        assertThat(registry.aliasVersion(model, "previous")).contains(champion);
    }

    @Test
    void invalidCropSettingsRefuseTheCandidateWithTheReason() throws Exception {
        String greenhouse = "gh-cx" + UUID.randomUUID().toString().substring(0, 6);
        crop(greenhouse, new Document("dayTemprature", new Document("low", 20)));
        TrainingPlan first = TrainedRuns.withModel(registry, runs, greenhouse, offline(null), 0);
        ExtractableResponse<Response> r = JobEvents.post("x-1", JobEvents.job(specs, first, "Complete", null, null));
        assertThat(r.header("ce-type")).isEqualTo(EventTypes.TRAINING_COMPLETED);
        TrainingCompleted c = PayloadCodec.read(EventType.TRAINING_COMPLETED, r.body().asByteArray());
        assertThat(c.promoted()).isFalse();
        assertThat(c.reason()).contains("the closed-loop gate could not judge it: the settings of zone " + greenhouse
                + "/zone-1 in control_zones are invalid: unknown field 'dayTemprature'");
        assertThat(registry.aliasVersion("greenloop-" + greenhouse, "champion")).isEmpty();
    }
}
