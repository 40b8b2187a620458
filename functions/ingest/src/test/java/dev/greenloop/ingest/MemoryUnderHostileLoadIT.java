package dev.greenloop.ingest;

import dev.greenloop.testkit.PackagedFunction;
import dev.greenloop.testkit.http.Storm;
import dev.greenloop.testkit.kafka.KafkaBroker;
import dev.greenloop.testkit.mongo.MongoWireServer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ingest as it ships, under the worst load a device can send: the packaged application, started
 * with the JVM options of its Knative Service, takes 30 seconds of 48 clients sending bodies at the
 * body limit, bodies that would be large trees, bodies without a declared length and small
 * batches. It must answer every request (202, or a problem that says to send less or later),
 * never run out of heap, stay within the Service's memory limit, and take a plain batch
 * afterwards. (The same load with the body budget lifted ends in "Terminating due to
 * java.lang.OutOfMemoryError" within seconds.)
 */
class MemoryUnderHostileLoadIT {

    private static final String TOKEN = "glt_hostile-load-device";
    /** Clients per kind of body: large, tree, chunked, small. As many as a Service's containerConcurrency lets through and more. */
    private static final int[] CLIENTS = {24, 8, 8, 8};
    private static final Duration LOAD = Duration.ofSeconds(30);
    private static final int MAX_BODY = 4 * 1024 * 1024;

    @Test
    void theShippedHeapTakesTheWorstLoadAndAnswersEveryRequest() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.start(); MongoWireServer mongo = MongoWireServer.start()) {
            kafka.createTopic("greenhouse.readings", 3);
            try (PackagedFunction ingest = PackagedFunction.start("ingest", List.of(
                    "-Dgreenloop.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                    "-Dgreenloop.mongodb.connection-string=" + mongo.connectionString(),
                    "-Dgreenloop.ingest.auth.bootstrap-device.id=hostile-1",
                    "-Dgreenloop.ingest.auth.bootstrap-device.greenhouse=gh-hostile",
                    "-Dgreenloop.ingest.auth.bootstrap-device.zones=zone-a",
                    "-Dgreenloop.ingest.auth.bootstrap-device.token=" + TOKEN,
                    // Memory is the subject, not the device's rate.
                    "-Dgreenloop.ingest.limits.device-items-per-second=100000000",
                    "-Dgreenloop.ingest.limits.device-burst-items=100000000"), Map.of())) {
                ingest.awaitReady();
                URI base = ingest.base();
                Storm storm = storm(base);

                ingest.assertSurvived(java.util.Arrays.toString(CLIENTS) + " clients for " + LOAD.toSeconds() + " s", storm);
                assertThat(storm.outcomes().keySet()).as("every answer is 202 or a problem to send less or later")
                        .allMatch(o -> o.matches("(large|tree|chunked|small) (202|413|503)"));
                assertThat(storm.count("large 202")).as("bodies at the limit were taken").isPositive();
                assertThat(storm.count("tree 413")).as("tree bombs were refused").isPositive();
                assertThat(storm.count("large 503") + storm.count("chunked 503")).as("the body budget said 'later'").isPositive();
                // A body without a length reserves what the server reads at most (16 MiB), so under
                // this load it is 503 while declared bodies fill the budget; once the load is gone it is taken.
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                for (boolean declared : new boolean[] {true, false}) {
                    HttpResponse<String> after = send(client, base, readings(1_000, 0), declared);
                    assertThat(after.statusCode()).as("after the load, declared length %s: %s", declared, after.body())
                            .isEqualTo(202);
                }
            }
        }
    }

    private static Storm storm(URI base) throws InterruptedException {
        byte[] large = readings(5_000, MAX_BODY - 1_000);
        byte[] tree = ("{\"zoneId\":\"zone-a\",\"deviceId\":\"hostile-1\",\"readings\":[" + "{},".repeat(199_000) + "{}]}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] chunked = readings(5_000, 0);
        byte[] small = readings(100, 0);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        return Storm.run(LOAD, List.of(
                new Storm.Clients("large", CLIENTS[0], () -> send(client, base, large, true).statusCode()),
                new Storm.Clients("tree", CLIENTS[1], () -> send(client, base, tree, true).statusCode()),
                new Storm.Clients("chunked", CLIENTS[2], () -> send(client, base, chunked, false).statusCode()),
                new Storm.Clients("small", CLIENTS[3], () -> send(client, base, small, true).statusCode())));
    }

    private static HttpResponse<String> send(HttpClient client, URI base, byte[] body, boolean declared)
            throws IOException, InterruptedException {
        HttpRequest.BodyPublisher publisher = declared ? HttpRequest.BodyPublishers.ofByteArray(body)
                : HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body));
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/v1/greenhouses/gh-hostile/readings"))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json").POST(publisher).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** A valid batch of {@code count} readings with distinct recent times, padded with spaces to {@code padTo} bytes. */
    private static byte[] readings(int count, int padTo) {
        String[] sensors = {"air_temperature", "relative_humidity", "co2", "par"};
        String[] units = {"degC", "%", "ppm", "umol/m2/s"};
        double[] values = {22.0, 75.0, 600.0, 400.0};
        Instant start = Instant.now().minus(Duration.ofMinutes(50)).truncatedTo(ChronoUnit.SECONDS)
                .minusSeconds(ThreadLocalRandom.current().nextInt(600));
        StringBuilder json = new StringBuilder("{\"zoneId\":\"zone-a\",\"deviceId\":\"hostile-1\",\"readings\":[");
        for (int i = 0; i < count; i++) {
            int s = i % sensors.length;
            json.append(i == 0 ? "" : ",").append("{\"sensor\":\"").append(sensors[s]).append("\",\"value\":")
                    .append(values[s]).append(",\"unit\":\"").append(units[s]).append("\",\"timestamp\":\"")
                    .append(start.plusMillis(i / sensors.length * 500L)).append("\"}");
        }
        json.append("]}");
        while (json.length() < padTo) {
            json.append(' ');
        }
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }
}
