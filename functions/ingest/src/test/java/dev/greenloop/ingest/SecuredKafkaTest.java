package dev.greenloop.ingest;

import dev.greenloop.testkit.quarkus.MongoResource;
import dev.greenloop.testkit.quarkus.SecuredKafkaResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.greenloop.ingest.IngestTesting.*;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * ingest configured from {@code greenloop.kafka.security.*} for a broker it may only reach over
 * SASL_SSL: readings are accepted and arrive (a client without those settings could not even
 * read the broker's metadata there, and ingest would answer 503).
 */
@QuarkusTest
@WithTestResource(SecuredKafkaResource.class)
@WithTestResource(MongoResource.class)
class SecuredKafkaTest {

    @Test
    void readingsReachABrokerThatWantsTlsAndAUser() {
        String body = batch(reading("air_temperature", 21.5, "degC", recent(1)));
        ExtractableResponse<Response> accepted = null;
        // As a device does: resend on 503. The first send waits for the broker's metadata over
        // TLS and SCRAM, which on a busy machine can outlast the tests' 2 s max-block.
        for (int attempt = 0; attempt < 3 && (accepted == null || accepted.statusCode() == 503); attempt++) {
            accepted = given().contentType(ContentType.JSON)
                    .header("Authorization", "Bearer " + TOKEN)
                    .body(body)
                    .post("/v1/greenhouses/gh-test/readings").then().extract();
        }

        assertThat(accepted.statusCode()).as(accepted.asString()).isEqualTo(202);
        List<String> ids = accepted.jsonPath().getList("eventIds", String.class);
        // A resent record carries the same id; consumers drop the copy.
        assertThat(records(SecuredKafkaResource.broker(), "greenhouse.readings", ids))
                .extracting(r -> r.value().getId()).containsAll(ids).allMatch(ids::contains);
    }
}
