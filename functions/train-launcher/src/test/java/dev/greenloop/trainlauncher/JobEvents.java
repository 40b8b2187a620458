package dev.greenloop.trainlauncher;

import dev.greenloop.trainlauncher.launch.JobSpecs;
import dev.greenloop.trainlauncher.launch.TrainingPlan;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;

import static io.restassured.RestAssured.given;

/** Job status events as an ApiServerSource (Resource mode) delivers them. */
final class JobEvents {

    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    private JobEvents() {
    }

    /** The Job of {@code plan} with a final condition ({@code Complete}, {@code Failed}) or none. */
    static String job(JobSpecs specs, TrainingPlan plan, String condition, String reason, String message) {
        Job job = specs.job(plan, "greenloop", null);
        JobStatusBuilder status = new JobStatusBuilder().withActive(condition == null ? 1 : 0);
        if (condition != null) {
            status.withConditions(new JobConditionBuilder().withType(condition).withStatus("True").withReason(reason)
                    .withMessage(message).build());
        }
        job.setStatus(status.build());
        return JSON.asJson(job);
    }

    static ExtractableResponse<Response> post(String id, String jobJson) {
        return given().header("ce-specversion", "1.0").header("ce-id", id)
                .header("ce-source", "https://kubernetes.default.svc").header("ce-type", "dev.knative.apiserver.resource.update")
                .header("ce-subject", "/apis/batch/v1/namespaces/greenloop/jobs/x")
                .contentType("application/json").body(jobJson).post("/").then().extract();
    }
}
