package dev.greenloop.ingest;

import dev.greenloop.testkit.kafka.KafkaBroker;
import dev.greenloop.testkit.quarkus.KafkaResource;
import dev.greenloop.testkit.quarkus.MongoResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;

import static dev.greenloop.ingest.BadInputTest.assertProblem;
import static dev.greenloop.ingest.IngestTesting.*;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** Without Kafka nothing is acknowledged; when it returns, the client's resend lands. */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(MongoResource.class)
class KafkaUnavailableTest {

    private static ExtractableResponse<Response> send(String body) {
        return given().contentType(ContentType.JSON).header("Authorization", "Bearer " + TOKEN).body(body)
                .post("/v1/greenhouses/gh-test/readings").then().extract();
    }

    @Test
    void stoppedBrokerGives503ThenTheResendLands() throws InterruptedException {
        KafkaBroker kafka = KafkaBroker.shared();
        String body = batch(reading("air_temperature", 19.25, "degC", recent(1)));
        send(batch(reading("co2", 505, "ppm", recent(2)))).response().then().statusCode(202);

        kafka.stop();
        ExtractableResponse<Response> refused;
        try {
            refused = send(body);
        } finally {
            kafka.restart();
        }

        assertProblem(refused, 503, null, "Resend");
        assertThat(refused.header("Retry-After")).isEqualTo("5");
        ExtractableResponse<Response> resent = send(body);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (resent.statusCode() == 503 && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            resent = send(body);
        }
        assertThat(resent.statusCode()).as(resent.asString()).isEqualTo(202);
        List<String> ids = resent.jsonPath().getList("eventIds", String.class);
        assertThat(records("greenhouse.readings", ids)).extracting(r -> r.value().getId()).contains(ids.get(0));
    }

    /** A hang guard, not a timing: the answer itself says the wait was bounded. */
    @Test
    @Timeout(120)
    void frozenBrokerGives503WithinTheAckTimeout() {
        KafkaBroker kafka = KafkaBroker.shared();
        send(batch(reading("co2", 515, "ppm", recent(2)))).response().then().statusCode(202);

        kafka.pause();
        ExtractableResponse<Response> refused;
        try {
            refused = send(batch(reading("co2", 520, "ppm", recent(1))));
        } finally {
            kafka.resume();
        }

        assertProblem(refused, 503, null, "no acknowledgement within 4 s");
    }
}
