package dev.greenloop.ingest;

import dev.greenloop.testkit.quarkus.KafkaResource;
import dev.greenloop.testkit.quarkus.MongoResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import static dev.greenloop.ingest.IngestTesting.*;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/** Health, metrics and the OpenAPI document are served and say what happened. */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(MongoResource.class)
class ObservabilityTest {

    @TestHTTPResource(value = "metrics", management = true)
    java.net.URL metricsUrl;

    @TestHTTPResource(value = "openapi", management = true)
    java.net.URL openapiUrl;

    @Test
    void readinessReportsKafkaAndMongo() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks[0].data.kafka", equalTo("up"))
                .body("checks[0].data.mongodb", equalTo("up"));
    }

    @Test
    void metricsCountItemsByOutcomeAndTimeKafkaAcks() {
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + TOKEN)
                .body(batch(reading("co2", 555, "ppm", recent(5)), reading("co2", -3, "ppm", recent(4))))
                .queryParam("partial", true).post("/v1/greenhouses/gh-test/readings").then().statusCode(202);

        String metrics = given().get(metricsUrl).then().statusCode(200).extract().asString();
        // Not on the port the public route reaches.
        given().get("/q/metrics").then().statusCode(404);

        assertThat(metrics).contains("greenloop_ingest_items_total{code=\"valid\",function=\"ingest\",outcome=\"accepted\"}")
                .contains("greenloop_ingest_items_total{code=\"range\",function=\"ingest\",outcome=\"rejected\"}")
                .contains("greenloop_ingest_zone_items_total{function=\"ingest\",greenhouse=\"gh-test\",outcome=\"accepted\",zone=\"")
                .contains("greenloop_ingest_zone_items_total{function=\"ingest\",greenhouse=\"gh-test\",outcome=\"quarantined\",zone=\"")
                .contains("jvm_memory_used_bytes{area=\"heap\",function=\"ingest\"")
                .contains("greenloop_ingest_kafka_ack_seconds_bucket")
                .contains("greenloop_ingest_request_seconds_count{endpoint=\"readings\",function=\"ingest\",status=\"202\"}")
                .contains("greenloop_ingest_batch_items_count");
    }

    @Test
    void openApiDescribesTheIntakeEndpoints() {
        String openapi = given().queryParam("format", "json").get(openapiUrl).then().statusCode(200).extract().asString();
        given().get("/q/openapi").then().statusCode(404);

        assertThat(openapi).contains("/v1/greenhouses/{greenhouseId}/readings").contains("\"deviceToken\"")
                .contains("\"422\"").contains("application/problem+json").contains("/v1/admin/devices");
    }
}
