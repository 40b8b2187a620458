package dev.greenloop.preprocess;

import dev.greenloop.events.Events;
import dev.greenloop.events.payload.FeatureWindow;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.features.FeatureCalculator;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.features.RawReading;
import dev.greenloop.testkit.quarkus.DurableMongoResource;
import dev.greenloop.testkit.quarkus.OidcResource;
import dev.greenloop.testkit.sink.CapturingSink;
import io.cloudevents.CloudEvent;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static dev.greenloop.preprocess.StreamingTest.MIN;
import static dev.greenloop.preprocess.StreamingTest.T0;
import static dev.greenloop.preprocess.StreamingTest.batch;
import static dev.greenloop.preprocess.StreamingTest.boxed;
import static dev.greenloop.preprocess.StreamingTest.deliver;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * MongoDB goes away in the middle of a zone's stream and comes back with its data. Each event is
 * delivered as an ordered KafkaSource delivers it: again and again while the answer is 5xx, the
 * next only after a 2xx. While MongoDB is down preprocess answers 503 with the reason, nothing
 * is lost, and afterwards every closed window was emitted, each with the features computed from
 * every reading, a window emitted twice (by a redelivery) with the same features.
 */
@QuarkusTest
@WithTestResource(value = OidcResource.class, initArgs = @ResourceArg(name = "audience", value = "greenloop-preprocess"))
@WithTestResource(DurableMongoResource.class)
@WithTestResource(CapturingSink.class)
class MongoOutageTest {

    @Test
    void aStreamThroughAMongoOutageLosesNothingAndComputesEachWindowOnce() throws Exception {
        String zone = "z-" + UUID.randomUUID().toString().substring(0, 8);
        int events = 12;
        List<ReadingsBatch> batches = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            batches.add(batch(zone, T0 + i * 2 * MIN, 2));
        }
        int refused = 0;
        for (int i = 0; i < events; i++) {
            String id = "ev-" + zone + "-" + i;
            if (i == 5) {
                DurableMongoResource.server().stop();
            }
            int attempts = 0;
            while (true) {
                ExtractableResponse<Response> r = deliver(id, batches.get(i));
                attempts++;
                if (r.statusCode() == 204) {
                    break;
                }
                assertThat(r.statusCode()).as(r.asString()).isEqualTo(503);
                assertThat(r.contentType()).startsWith("application/problem+json");
                assertThat(r.jsonPath().getString("detail")).contains("MongoDB");
                refused++;
                if (attempts == 2) {
                    DurableMongoResource.server().restart();
                }
                assertThat(attempts).as("event %d delivered within 10 attempts", i).isLessThan(10);
            }
        }
        assertThat(refused).as("answers while MongoDB was down").isGreaterThanOrEqualTo(2);

        // Watermark 10:23:40, lateness 2 min: the windows 10:00 to 10:20 have closed.
        Map<Long, List<FeatureWindow>> byWindow = new TreeMap<>();
        for (CloudEvent e : CapturingSink.receivedFor("gh-s", zone)) {
            FeatureWindow w = Events.payload(e, FeatureWindow.class);
            byWindow.computeIfAbsent(w.windowStart().toEpochMilli(), k -> new ArrayList<>()).add(w);
        }
        List<Long> expected = new ArrayList<>();
        for (long start = T0; start <= T0 + 20 * MIN; start += MIN) {
            expected.add(start);
        }
        assertThat(byWindow.keySet()).containsExactlyElementsOf(expected);
        List<RawReading> all = new ArrayList<>();
        batches.forEach(b -> b.readings().forEach(r -> all.add(RawReading.of(r))));
        FeatureCalculator calculator = new FeatureCalculator(FeatureSpec.CURRENT);
        Map<Long, Integer> copies = new HashMap<>();
        byWindow.forEach((start, emitted) -> {
            copies.put(start, emitted.size());
            List<Double> features = boxed(calculator.compute(start, all));
            assertThat(emitted).as("window %d", start).allSatisfy(w -> assertThat(w.values()).containsExactlyElementsOf(features));
        });
        // Only a redelivered event re-emits its windows; most windows went once.
        assertThat(copies.values().stream().filter(n -> n == 1).count()).isGreaterThanOrEqualTo(expected.size() - 4);
    }
}
