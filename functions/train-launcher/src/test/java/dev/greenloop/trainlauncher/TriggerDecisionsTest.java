package dev.greenloop.trainlauncher;

import io.quarkus.test.common.ResourceArg;
import dev.greenloop.testkit.oidc.SenderTokens;
import dev.greenloop.testkit.quarkus.OidcResource;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.greenloop.datasetregistry.DatasetManifest;
import dev.greenloop.datasetregistry.DatasetRegistry;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.DatasetFile;
import dev.greenloop.events.payload.DatasetReady;
import dev.greenloop.events.payload.DriftDetected;
import dev.greenloop.testkit.mongo.MongoWireServer;
import dev.greenloop.testkit.quarkus.MlflowResource;
import dev.greenloop.testkit.quarkus.MongoResource;
import dev.greenloop.trainlauncher.launch.JobNames;
import dev.greenloop.trainlauncher.launch.JobSpecs;
import dev.greenloop.trainlauncher.launch.TrainingPlan;
import dev.greenloop.trainlauncher.store.TrainingRuns;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * When train-launcher starts a Job and when it does not, with the Kubernetes launcher against
 * fabric8's mock API server (CRUD) and real MongoDB-wire and MLflow servers.
 */
@QuarkusTest
@WithTestResource(value = OidcResource.class, initArgs = @ResourceArg(name = "audience", value = "greenloop-train-launcher"))
@TestProfile(TriggerDecisionsTest.KubernetesLauncher.class)
@WithTestResource(MockApiServerResource.class)
@WithTestResource(MongoResource.class)
@WithTestResource(MlflowResource.class)
class TriggerDecisionsTest {

    /** The Kubernetes launcher, as in a cluster. */
    public static class KubernetesLauncher implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("greenloop.train-launcher.launcher", "kubernetes",
                    "greenloop.train-launcher.job.namespace", "greenloop",
                    "greenloop.train-launcher.mongodb.database", "train-launcher-decisions",
                    "greenloop.train-launcher.retrain.min-new-rows", "1000");
        }
    }

    private static MongoClient mongo;
    private static DatasetRegistry datasets;

    @Inject
    KubernetesClient kubernetes;
    @Inject
    TrainingRuns runs;
    @Inject
    JobSpecs specs;

    @BeforeAll
    static void connect() {
        mongo = MongoClients.create(MongoWireServer.shared().connectionString());
        datasets = new DatasetRegistry(mongo.getDatabase("train-launcher-decisions"));
    }

    @AfterAll
    static void close() {
        mongo.close();
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A dataset registered as preprocess registers it, and its {@code dataset.ready} payload. */
    private static DatasetReady dataset(String greenhouse, String id) {
        return dataset(greenhouse, id, 1440);
    }

    private static DatasetReady dataset(String greenhouse, String id, long rows) {
        Instant to = Instant.parse("2026-06-21T00:00:00Z");
        DatasetReady ready = new DatasetReady(id, greenhouse, "v1", to.minusSeconds(86_400), to, rows,
                List.of(new DatasetFile("/greenloop/features/v1/greenhouse=" + greenhouse + "/date=2026-06-20/part-0.parquet",
                        rows, 52_431, "a".repeat(64))));
        datasets.register(new DatasetManifest(ready, List.of(LocalDate.parse("2026-06-20")), 15,
                List.of("air_temperature_t+15m"), 30, new DatasetManifest.Coverage(rows, Map.of(), Map.of()), null,
                "ev-" + id, Instant.now()));
        return ready;
    }

    private static ExtractableResponse<Response> event(String id, String type, String json) {
        return given().header("ce-specversion", "1.0").header("ce-id", id).header("ce-source", "/test")
                .header("ce-type", type).contentType("application/json").body(json).post("/").then().extract();
    }

    private static ExtractableResponse<Response> datasetReady(String id, DatasetReady ready) {
        return event(id, EventTypes.DATASET_READY, new String(PayloadCodec.write(ready), StandardCharsets.UTF_8));
    }

    private List<Job> jobsOf(String greenhouse) {
        return kubernetes.batch().v1().jobs().inNamespace("greenloop")
                .withLabel(JobSpecs.GREENHOUSE_LABEL, JobNames.labelValue(greenhouse)).list().getItems();
    }

    private static ExtractableResponse<Response> manual(String token, String idempotencyKey, String body) {
        var request = given().contentType("application/json").body(body);
        if (token != null) {
            request = request.header("Authorization", "Bearer " + token);
        }
        if (idempotencyKey != null) {
            request = request.header("Idempotency-Key", idempotencyKey);
        }
        return request.post("/v1/training-requests").then().extract();
    }

    /** A dataset.ready without a valid OIDC token for train-launcher's audience starts nothing; with one, a Job. */
    @Test
    void onlyASenderWithAValidTokenStartsATraining() {
        for (SenderTokens.Sender sender : SenderTokens.forAudience("greenloop-train-launcher")) {
            String greenhouse = unique("gh-oidc");
            DatasetReady ready = dataset(greenhouse, unique("ds"));
            var request = given().header("ce-specversion", "1.0").header("ce-id", UUID.randomUUID().toString())
                    .header("ce-source", "/greenloop/preprocess").header("ce-type", EventTypes.DATASET_READY)
                    .contentType("application/json").body(PayloadCodec.write(ready));
            request = sender.authorization() == null ? request.header(OidcResource.NO_TOKEN, "1")
                    : request.header("Authorization", sender.authorization());

            int status = request.post("/").then().extract().statusCode();

            assertThat(status).as(sender.name()).isEqualTo(sender.valid() ? 204 : 401);
            assertThat(jobsOf(greenhouse)).as(sender.name()).hasSize(sender.valid() ? 1 : 0);
        }
    }

    @Test
    void aNewDatasetStartsOneJobEvenWhenTheEventComesTwice() {
        String greenhouse = unique("gh-new");
        DatasetReady ready = dataset(greenhouse, unique("ds"));
        String eventId = UUID.randomUUID().toString();

        assertThat(datasetReady(eventId, ready).statusCode()).isEqualTo(204);
        assertThat(datasetReady(eventId, ready).statusCode()).isEqualTo(204);

        List<Job> jobs = jobsOf(greenhouse);
        assertThat(jobs).hasSize(1);
        Job job = jobs.get(0);
        assertThat(job.getMetadata().getName()).isEqualTo(JobNames.of(greenhouse, eventId));
        Document run = runs.run(job.getMetadata().getName()).orElseThrow();
        assertThat(run.getString("datasetId")).isEqualTo(ready.datasetId());
        assertThat(job.getMetadata().getLabels()).containsEntry(JobSpecs.RUN_LABEL, JobNames.labelValue(run.getString("runId")));
    }

    @Test
    void aGreenhouseWithARunGoingGetsNoSecondJob() {
        String greenhouse = unique("gh-busy");
        assertThat(datasetReady(UUID.randomUUID().toString(), dataset(greenhouse, unique("ds"))).statusCode()).isEqualTo(204);
        assertThat(datasetReady(UUID.randomUUID().toString(), dataset(greenhouse, unique("ds"))).statusCode()).isEqualTo(204);
        assertThat(event(UUID.randomUUID().toString(), "dev.knative.sources.ping",
                "{\"greenhouseId\":\"" + greenhouse + "\"}").statusCode()).isEqualTo(204);
        ExtractableResponse<Response> byHand = manual("test-admin-token", null, "{\"greenhouseId\":\"" + greenhouse + "\"}");
        assertThat(byHand.statusCode()).isEqualTo(200);
        assertThat(byHand.jsonPath().getString("skipped")).contains("still going");

        assertThat(jobsOf(greenhouse)).hasSize(1);
    }

    @Test
    void aGreenhouseWithoutADatasetIsToldSo() {
        String greenhouse = unique("gh-empty");
        ExtractableResponse<Response> byHand = manual("test-admin-token", null, "{\"greenhouseId\":\"" + greenhouse + "\"}");
        assertThat(byHand.statusCode()).isEqualTo(200);
        assertThat(byHand.jsonPath().getString("skipped")).contains("has no dataset yet");
        assertThat(jobsOf(greenhouse)).isEmpty();
    }

    @Test
    void noNewDataMeansNoNightlyRunButAManualRequestStillTrains() {
        String greenhouse = unique("gh-idle");
        DatasetReady ready = dataset(greenhouse, unique("ds"));
        String eventId = UUID.randomUUID().toString();
        assertThat(datasetReady(eventId, ready).statusCode()).isEqualTo(204);
        runs.recordOutcome(JobNames.of(greenhouse, eventId), "completed", new Document("type", "test"));

        assertThat(event(UUID.randomUUID().toString(), "dev.knative.sources.ping",
                "{\"greenhouseId\":\"" + greenhouse + "\"}").statusCode()).isEqualTo(204);
        assertThat(jobsOf(greenhouse)).hasSize(1);

        ExtractableResponse<Response> accepted = manual("test-admin-token", "retrain-1",
                "{\"greenhouseId\":\"" + greenhouse + "\",\"note\":\"new lamps\"}");
        assertThat(accepted.statusCode()).isEqualTo(202);
        assertThat(accepted.jsonPath().getString("datasetId")).isEqualTo(ready.datasetId());
        String job = accepted.jsonPath().getString("jobName");
        assertThat(jobsOf(greenhouse)).extracting(j -> j.getMetadata().getName()).contains(job).hasSize(2);

        // A resend with the same key is the same request: same Job, nothing new.
        ExtractableResponse<Response> resent = manual("test-admin-token", "retrain-1",
                "{\"greenhouseId\":\"" + greenhouse + "\",\"note\":\"new lamps\"}");
        assertThat(resent.statusCode()).isEqualTo(202);
        assertThat(resent.jsonPath().getString("jobName")).isEqualTo(job);
        assertThat(jobsOf(greenhouse)).hasSize(2);
    }

    @Test
    void aNewDatasetAfterAModelTrainsOnlyWhenEnoughNewDataHasCome() {
        String greenhouse = unique("gh-hourly");
        String first = UUID.randomUUID().toString();
        assertThat(datasetReady(first, dataset(greenhouse, unique("ds"), 1440)).statusCode()).isEqualTo(204);
        runs.recordOutcome(JobNames.of(greenhouse, first), "promoted", new Document("type", "test"));

        // An hour later: 60 rows more, below retrain.min-new-rows (1000). Recorded, not trained on.
        assertThat(datasetReady(UUID.randomUUID().toString(), dataset(greenhouse, unique("ds"), 1500)).statusCode()).isEqualTo(204);
        assertThat(jobsOf(greenhouse)).hasSize(1);

        // 1,000 rows more than the model's dataset: a second run.
        DatasetReady bigger = dataset(greenhouse, unique("ds"), 2440);
        assertThat(datasetReady(UUID.randomUUID().toString(), bigger).statusCode()).isEqualTo(204);
        assertThat(jobsOf(greenhouse)).hasSize(2);
    }

    /**
     * The first run saw only the start of the history and missed the gate: no model is in
     * service, so a dataset with twice its rows trains again, well before retrain.min-new-rows.
     * Once a run is promoted, doubling alone no longer retrains.
     */
    @Test
    void withoutAModelInServiceTwiceTheDataTrainsAgain() {
        String greenhouse = unique("gh-young");
        String first = UUID.randomUUID().toString();
        assertThat(datasetReady(first, dataset(greenhouse, unique("ds"), 300)).statusCode()).isEqualTo(204);
        runs.recordOutcome(JobNames.of(greenhouse, first), "completed", new Document("type", "test"));

        assertThat(datasetReady(UUID.randomUUID().toString(), dataset(greenhouse, unique("ds"), 500)).statusCode()).isEqualTo(204);
        assertThat(jobsOf(greenhouse)).as("500 rows: not twice 300").hasSize(1);
        String second = UUID.randomUUID().toString();
        assertThat(datasetReady(second, dataset(greenhouse, unique("ds"), 600)).statusCode()).isEqualTo(204);
        assertThat(jobsOf(greenhouse)).as("600 rows: twice 300").hasSize(2);
        assertThat(runs.run(JobNames.of(greenhouse, second))).as("the run of the second dataset").isPresent();

        runs.recordOutcome(JobNames.of(greenhouse, second), "promoted", new Document("type", "test"));
        assertThat(datasetReady(UUID.randomUUID().toString(), dataset(greenhouse, unique("ds"), 1200)).statusCode()).isEqualTo(204);
        assertThat(jobsOf(greenhouse)).as("a model is in service: 600 more rows are below min-new-rows").hasSize(2);
    }

    /**
     * A dataset announced while a run went on waits for no other: when that run ends without a
     * model in service, the newest dataset is trained on at once if it is worth a run, once
     * however often the status event comes.
     */
    @Test
    void aDatasetAnnouncedDuringARunIsTrainedWhenTheRunEndsWithoutAModel() {
        String greenhouse = unique("gh-during");
        String first = UUID.randomUUID().toString();
        assertThat(datasetReady(first, dataset(greenhouse, unique("ds"), 300)).statusCode()).isEqualTo(204);
        assertThat(datasetReady(UUID.randomUUID().toString(), dataset(greenhouse, unique("ds"), 700)).statusCode()).isEqualTo(204);
        assertThat(jobsOf(greenhouse)).as("one run at a time").hasSize(1);

        org.bson.Document run = runs.run(JobNames.of(greenhouse, first)).orElseThrow();
        TrainingPlan plan = new TrainingPlan(run.getString("_id"), greenhouse, run.getString("runId"), run.getString("modelName"),
                run.getString("datasetId"), run.getString("manifest"), run.getString("causationId"), run.getString("reason"));
        // The run ends without a model version: completed, no model in service.
        String status = JobEvents.job(specs, plan, "Complete", null, null);
        assertThat(JobEvents.post("status-1", status).header("ce-type")).isEqualTo(EventTypes.TRAINING_COMPLETED);

        assertThat(jobsOf(greenhouse)).as("the 700-row dataset, twice the first run's").hasSize(2);
        assertThat(JobEvents.post("status-1", status).statusCode()).as("redelivered").isEqualTo(200);
        assertThat(jobsOf(greenhouse)).hasSize(2);
    }

    /**
     * Killed after recording the run and before creating its Job (the Job is missing), or after
     * creating it (the Job exists): the redelivered event converges on exactly one Job, with the
     * same MLflow run.
     */
    @Test
    void aLaunchKilledBeforeOrAfterCreatingTheJobConvergesOnOneJob() {
        String greenhouse = unique("gh-crash");
        String eventId = UUID.randomUUID().toString();
        DatasetReady ready = dataset(greenhouse, unique("ds"));
        assertThat(datasetReady(eventId, ready).statusCode()).isEqualTo(204);
        String runId = runs.run(JobNames.of(greenhouse, eventId)).orElseThrow().getString("runId");
        // Killed before the Job was created: the run is recorded, the Job is not there.
        kubernetes.batch().v1().jobs().inNamespace("greenloop").withName(JobNames.of(greenhouse, eventId)).delete();
        assertThat(jobsOf(greenhouse)).isEmpty();

        assertThat(datasetReady(eventId, ready).statusCode()).as("redelivered").isEqualTo(204);
        assertThat(jobsOf(greenhouse)).hasSize(1);
        // Killed after creating it: the redelivery finds it there.
        assertThat(datasetReady(eventId, ready).statusCode()).as("redelivered again").isEqualTo(204);
        assertThat(jobsOf(greenhouse)).hasSize(1);
        assertThat(runs.run(JobNames.of(greenhouse, eventId)).orElseThrow().getString("runId")).isEqualTo(runId);
    }

    @Test
    void detectedDriftStartsExactlyOneJob() {
        String greenhouse = unique("gh-drift");
        String first = UUID.randomUUID().toString();
        assertThat(datasetReady(first, dataset(greenhouse, unique("ds"))).statusCode()).isEqualTo(204);
        runs.recordOutcome(JobNames.of(greenhouse, first), "promoted", new Document("type", "test"));
        // The hour's dataset, too little new data to retrain by itself.
        DatasetReady hour = dataset(greenhouse, unique("ds"), 1500);
        assertThat(datasetReady(UUID.randomUUID().toString(), hour).statusCode()).isEqualTo(204);
        assertThat(jobsOf(greenhouse)).hasSize(1);
        DriftDetected drift = new DriftDetected(greenhouse, "zone-1", "greenloop-" + greenhouse, "3",
                "accuracy_ratio:zone-1/air_temperature_15m", 1.4, 1.0, Instant.parse("2026-06-21T10:00:00Z"),
                Instant.parse("2026-06-21T12:00:00Z"));
        String eventId = UUID.randomUUID().toString();
        String json = new String(PayloadCodec.write(drift), StandardCharsets.UTF_8);

        assertThat(event(eventId, EventTypes.DRIFT_DETECTED, json).statusCode()).isEqualTo(204);
        assertThat(event(eventId, EventTypes.DRIFT_DETECTED, json).statusCode()).as("redelivered").isEqualTo(204);
        assertThat(event(UUID.randomUUID().toString(), EventTypes.DRIFT_DETECTED, json).statusCode())
                .as("again while the run goes on").isEqualTo(204);

        List<Job> jobs = jobsOf(greenhouse);
        assertThat(jobs).hasSize(2);
        Document run = runs.run(JobNames.of(greenhouse, eventId)).orElseThrow();
        assertThat(run.getString("reason")).isEqualTo("drift");
        assertThat(run.getString("datasetId")).as("the newest dataset").isEqualTo(hour.datasetId());
    }

    @Test
    void manualRequestsNeedTheTokenAndAKnownDataset() {
        String greenhouse = unique("gh-manual");
        dataset(greenhouse, unique("ds"));

        ExtractableResponse<Response> anonymous = manual(null, null, "{\"greenhouseId\":\"" + greenhouse + "\"}");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.contentType()).startsWith("application/problem+json");
        assertThat(anonymous.jsonPath().getString("detail")).contains("Authorization: Bearer");

        assertThat(manual("wrong-token", null, "{\"greenhouseId\":\"" + greenhouse + "\"}").statusCode()).isEqualTo(401);

        ExtractableResponse<Response> noGreenhouse = manual("test-admin-token", null, "{\"note\":\"x\"}");
        assertThat(noGreenhouse.statusCode()).isEqualTo(400);
        assertThat(noGreenhouse.jsonPath().getString("detail")).contains("greenhouseId");

        ExtractableResponse<Response> notJson = manual("test-admin-token", null, "{greenhouse");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(notJson.jsonPath().getString("detail")).contains("not JSON");

        ExtractableResponse<Response> unknown = manual("test-admin-token", null,
                "{\"greenhouseId\":\"" + greenhouse + "\",\"datasetId\":\"ds-missing\"}");
        assertThat(unknown.statusCode()).isEqualTo(422);
        assertThat(unknown.jsonPath().getString("detail")).contains("ds-missing");

        assertThat(jobsOf(greenhouse)).isEmpty();
    }

    /** Hostile manual requests, one row each: every one a 400 or 415 problem that names the cause, none a Job. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            empty body                    | application/json     |                                                    | 400 | the body is empty
            JSON null                     | application/json     | null                                               | 400 | JSON null
            array body                    | application/json     | []                                                 | 400 | expected shape
            greenhouseId as a number      | application/json     | {"greenhouseId":7}                                 | 400 | /greenhouseId
            unknown field                 | application/json     | {"greenhouseId":"gh-hostile","priority":"high"}    | 400 | priority
            trailing content              | application/json     | {"greenhouseId":"gh-hostile"} {}                   | 400 | not JSON
            duplicate key                 | application/json     | {"greenhouseId":"gh-hostile","greenhouseId":"x"}   | 400 | Duplicate
            greenhouseId with a slash     | application/json     | {"greenhouseId":"gh/../x"}                         | 400 | /greenhouseId
            datasetId with a space        | application/json     | {"greenhouseId":"gh-hostile","datasetId":"a b"}    | 400 | /datasetId
            text content type             | text/plain           | {"greenhouseId":"gh-hostile"}                      | 415 | application/json
            content type with empty parts | application/json;;;  | {"greenhouseId":"gh-hostile"}                      | 415 | application/json
            """)
    void hostileManualRequestsAreProblemsAndStartNothing(String name, String contentType, String body, int status,
                                                        String detail) {
        ExtractableResponse<Response> r = given().contentType(contentType).body(body == null ? "" : body)
                .header("Authorization", "Bearer test-admin-token").post("/v1/training-requests").then().extract();

        assertThat(r.statusCode()).as(r.body().asString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.body().asString()).contains(detail);
        assertThat(jobsOf("gh-hostile")).isEmpty();
    }

    @Test
    void aPingThatNamesNoGreenhouseIsAClearError() {
        ExtractableResponse<Response> r = event(UUID.randomUUID().toString(), "dev.knative.sources.ping", "{}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.jsonPath().getString("detail")).contains("greenhouseId");
    }
}
