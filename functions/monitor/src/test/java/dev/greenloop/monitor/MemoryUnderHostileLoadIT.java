package dev.greenloop.monitor;

import dev.greenloop.events.EventTypes;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.FeatureWindow;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.testkit.PackagedFunction;
import dev.greenloop.testkit.http.Storm;
import dev.greenloop.testkit.mongo.MongoWireServer;
import dev.greenloop.testkit.oidc.OidcIssuer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * monitor as it ships, under the worst load its senders can make: the packaged application,
 * started with the JVM options of its Knative Service, takes 30 seconds of 48 clients posting
 * feature windows and the predictions made from them (each prediction meets its target window 15
 * minutes later and becomes an outcome), windows padded to the body limit, bodies over the limit
 * and windows that break the contract. It must answer every request (204, or a problem that says
 * why or to send later), never run out of heap, stay within the Service's memory limit, and then
 * answer the operator's accuracy question over every outcome of the storm.
 */
class MemoryUnderHostileLoadIT {

    private static final String GREENHOUSE = "gh-hostile";
    private static final String OPERATOR_TOKEN = "operator-token-hostile-load";
    /** Clients per kind: windows and predictions, windows at the body limit, over the limit, invalid. */
    private static final int[] CLIENTS = {24, 8, 8, 8};
    private static final Duration LOAD = Duration.ofSeconds(30);
    /** {@code quarkus.http.limits.max-body-size} in monitor's application.properties. */
    private static final int MAX_BODY = 1024 * 1024;
    private static final Instant BASE = Instant.parse("2026-06-01T00:00:00Z");

    private final AtomicInteger zones = new AtomicInteger();

    @Test
    void theShippedHeapTakesTheWorstLoadAndAnswersEveryRequest() throws Exception {
        OidcIssuer issuer = OidcIssuer.shared();
        try (MongoWireServer mongo = MongoWireServer.start();
             PackagedFunction monitor = PackagedFunction.start("monitor", List.of(
                     "-Dgreenloop.mongodb.connection-string=" + mongo.connectionString(),
                     "-Dgreenloop.events.oidc.issuer=" + issuer.issuer(),
                     "-Dgreenloop.monitor.operator-token=" + OPERATOR_TOKEN), Map.of())) {
            monitor.awaitReady();
            URI base = monitor.base();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            String token = "Bearer " + issuer.token("greenloop-monitor");
            Storm storm = storm(http, base, token);

            monitor.assertSurvived(Arrays.toString(CLIENTS) + " clients for " + LOAD.toSeconds() + " s", storm);
            assertThat(storm.outcomes().keySet()).as("every answer is 204 or a problem that says why or to send later")
                    .allMatch(o -> o.matches("(zone|large) (204|503)|over (413|503)|invalid (400|503)"));
            assertThat(storm.count("zone 204")).as("windows and predictions were stored").isPositive();
            assertThat(storm.count("large 204")).as("windows at the body limit were stored").isPositive();
            assertThat(storm.count("over 413")).as("bodies over the limit were refused").isPositive();
            assertThat(storm.count("invalid 400")).as("invalid windows were refused").isPositive();

            // Every outcome of the storm, summed by the accuracy API, and still within the limits after it.
            HttpResponse<String> accuracy = http.send(HttpRequest.newBuilder(
                            base.resolve("/v1/greenhouses/" + GREENHOUSE + "/accuracy?since=" + BASE))
                    .header("Authorization", "Bearer " + OPERATOR_TOKEN).timeout(Duration.ofSeconds(120)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(accuracy.statusCode()).as(accuracy.body()).isEqualTo(200);
            assertThat(accuracy.body()).contains("\"hours\"").contains("\"count\"");
            monitor.assertSurvived(Arrays.toString(CLIENTS) + " clients for " + LOAD.toSeconds() + " s and the accuracy question", storm);
        }
    }

    private Storm storm(HttpClient http, URI base, String token) throws InterruptedException {
        byte[] over = new byte[MAX_BODY + 1024];
        Arrays.fill(over, (byte) ' ');
        over[0] = '{';
        over[over.length - 1] = '}';
        byte[] invalid = new String(PayloadCodec.write(window("zone-invalid", BASE)), StandardCharsets.UTF_8)
                .replace("\"featureSpecVersion\":\"" + FeatureSpec.CURRENT.version() + "\"", "\"featureSpecVersion\":7")
                .getBytes(StandardCharsets.UTF_8);
        return Storm.run(LOAD, List.of(
                new Storm.Clients("zone", CLIENTS[0], zone(http, base, token, 0)),
                new Storm.Clients("large", CLIENTS[1], zone(http, base, token, MAX_BODY - 1024)),
                new Storm.Clients("over", CLIENTS[2], () -> send(http, base, token, EventTypes.FEATURES_WINDOW, over).statusCode()),
                new Storm.Clients("invalid", CLIENTS[3],
                        () -> send(http, base, token, EventTypes.FEATURES_WINDOW, invalid).statusCode())));
    }

    /**
     * A client of its own zone: the window of each minute, then the prediction made from it for 15
     * minutes ahead (so predictions meet their targets), windows padded with spaces to {@code padTo} bytes.
     */
    private Storm.Request zone(HttpClient http, URI base, String token, int padTo) {
        ThreadLocal<String> zone = ThreadLocal.withInitial(() -> "zone-" + zones.incrementAndGet());
        ThreadLocal<long[]> step = ThreadLocal.withInitial(() -> new long[1]);
        return () -> {
            long n = step.get()[0]++;
            FeatureWindow w = window(zone.get(), BASE.plusSeconds(60 * (n / 2)));
            if (n % 2 == 1) {
                return send(http, base, token, EventTypes.PREDICTION,
                        PayloadCodec.write(MonitorTesting.prediction(w, "1", false, 21.0))).statusCode();
            }
            byte[] body = PayloadCodec.write(w);
            if (padTo > body.length) {
                byte[] padded = Arrays.copyOf(body, padTo);
                Arrays.fill(padded, body.length, padTo, (byte) ' ');
                body = padded;
            }
            return send(http, base, token, EventTypes.FEATURES_WINDOW, body).statusCode();
        };
    }

    /** A window of the current spec, air temperature following a slow wave. */
    private static FeatureWindow window(String zone, Instant end) {
        double t = 21 + Math.sin(end.getEpochSecond() / 3600.0);
        return MonitorTesting.window(GREENHOUSE, zone, end, t, t);
    }

    private static HttpResponse<String> send(HttpClient http, URI base, String token, String type, byte[] body)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base).timeout(Duration.ofSeconds(60))
                .header("ce-specversion", "1.0").header("ce-id", UUID.randomUUID().toString())
                .header("ce-source", "/apis/v1/namespaces/greenloop/broker").header("ce-type", type)
                .header("Content-Type", "application/json").header("Authorization", token)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
