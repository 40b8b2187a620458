package dev.greenloop.infer;

import dev.greenloop.testkit.PackagedFunction;
import dev.greenloop.testkit.http.Storm;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * infer as it ships, under the worst load a client can send: the packaged application, started with
 * the JVM options of its Knative Service and serving a registered champion, takes 30 seconds of 48
 * clients sending the largest batches (1,024 vectors, about 3 MB), batches over the limit and
 * single vectors. It must answer every request (200, or a problem that says to send less or
 * later), never run out of heap, stay within the Service's memory limit, and score a batch after.
 */
class MemoryUnderHostileLoadIT {

    private static final String GREENHOUSE = "gh-hostile";
    /** Clients per kind of request: largest batches, batches over the limit, single vectors. */
    private static final int[] CLIENTS = {32, 8, 8};
    private static final Duration LOAD = Duration.ofSeconds(30);

    @Test
    void theShippedHeapTakesTheWorstLoadAndAnswersEveryRequest() throws Exception {
        TestModels.register("greenloop-" + GREENHOUSE, "champion", 0.0);
        try (PackagedFunction infer = PackagedFunction.start("infer", List.of(
                "-Dgreenloop.infer.mlflow-tracking-uri=" + TestModels.mlflow(),
                "-Dgreenloop.infer.cache-dir=" + Files.createTempDirectory("infer-hostile-cache")), Map.of())) {
            URI predict = infer.base().resolve("/v1/predict");
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            infer.awaitReady(() -> {
                try {
                    return send(client, predict, body(1)).statusCode() == 200;
                } catch (IOException e) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            });

            Storm storm = storm(client, predict);

            infer.assertSurvived(Arrays.toString(CLIENTS) + " clients for " + LOAD.toSeconds() + " s", storm);
            assertThat(storm.outcomes().keySet()).as("every answer is 200 or a problem to send less or later")
                    .allMatch(o -> o.matches("largest (200|503)|over (413|503)|single (200|503)"));
            assertThat(storm.count("largest 200")).as("the largest batches were scored").isPositive();
            assertThat(storm.count("over 413")).as("batches over the limit were refused").isPositive();
            assertThat(storm.count("single 200")).as("single vectors were scored").isPositive();
            HttpResponse<String> after = send(client, predict, body(1024));
            assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
        }
    }

    private static Storm storm(HttpClient client, URI predict) throws InterruptedException {
        byte[] largest = body(1024);
        byte[] over = body(1100);
        byte[] single = body(1);
        return Storm.run(LOAD, List.of(
                new Storm.Clients("largest", CLIENTS[0], () -> send(client, predict, largest).statusCode()),
                new Storm.Clients("over", CLIENTS[1], () -> send(client, predict, over).statusCode()),
                new Storm.Clients("single", CLIENTS[2], () -> send(client, predict, single).statusCode())));
    }

    private static HttpResponse<String> send(HttpClient client, URI predict, byte[] body)
            throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(predict).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A request of {@code rows} feature spec v1 vectors, values with all of a double's digits. */
    private static byte[] body(int rows) {
        Random random = new Random(rows);
        StringBuilder json = new StringBuilder("{\"greenhouseId\":\"" + GREENHOUSE + "\",\"featureSpecVersion\":\"v1\",");
        json.append(rows == 1 ? "\"features\":" : "\"batch\":[");
        for (int r = 0; r < rows; r++) {
            json.append(r == 0 ? "[" : ",[");
            for (int f = 0; f < 149; f++) {
                json.append(f == 0 ? "" : ",").append(random.nextDouble() * 100);
            }
            json.append(']');
        }
        json.append(rows == 1 ? "}" : "]}");
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }
}
