package dev.greenloop.control;

import com.mongodb.client.MongoDatabase;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.testkit.PackagedFunction;
import dev.greenloop.testkit.http.Storm;
import dev.greenloop.testkit.kafka.KafkaBroker;
import dev.greenloop.testkit.mongo.MongoWireServer;
import dev.greenloop.testkit.oidc.OidcIssuer;
import org.bson.Document;
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
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * control as it ships, under the worst load its senders can make: the packaged application,
 * started with the JVM options of its Knative Service, takes 30 seconds of 48 clients posting
 * predictions that each command two actuators, the same padded to the body limit, bodies over
 * the limit and predictions that break the contract. It must answer every request (204, or a
 * problem that says why or to send later), never run out of heap, stay within the Service's
 * memory limit, and command a zone afterwards.
 */
class MemoryUnderHostileLoadIT {

    private static final String GREENHOUSE = "gh-hostile";
    /** Clients per kind of request: acting predictions, the same at the body limit, over the limit, invalid. */
    private static final int[] CLIENTS = {16, 16, 8, 8};
    private static final Duration LOAD = Duration.ofSeconds(30);
    /** {@code quarkus.http.limits.max-body-size} in control's application.properties. */
    private static final int MAX_BODY = 256 * 1024;

    private final AtomicInteger zones = new AtomicInteger();
    private final AtomicLong clock = new AtomicLong(System.currentTimeMillis());

    @Test
    void theShippedHeapTakesTheWorstLoadAndAnswersEveryRequest() throws Exception {
        OidcIssuer issuer = OidcIssuer.shared();
        byte[] secret = new byte[32];
        new java.security.SecureRandom().nextBytes(secret);

        // The test kit's shared MongoDB-wire server and ControlTesting's database: zones are set up as the other tests do.
        MongoWireServer mongo = MongoWireServer.shared();
        MongoDatabase db = ControlTesting.db();
        try (KafkaBroker kafka = KafkaBroker.start()) {
            kafka.createTopic("greenhouse.commands", 3);
            try (PackagedFunction control = PackagedFunction.start("control", List.of(
                    "-Dgreenloop.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                    "-Dgreenloop.mongodb.connection-string=" + mongo.connectionString(),
                    "-Dgreenloop.control.mongodb.database=" + db.getName(),
                    "-Dgreenloop.events.oidc.issuer=" + issuer.issuer()),
                    Map.of("GREENLOOP_SIGNING_KEYS", "hostile-k1:" + GREENHOUSE + ":" + Base64.getEncoder().encodeToString(secret)))) {
                control.awaitReady();
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(10)).build();
                String token = "Bearer " + issuer.token("greenloop-control");
                Storm storm = storm(http, control.base(), token);

                control.assertSurvived(Arrays.toString(CLIENTS) + " clients for " + LOAD.toSeconds() + " s", storm);
                assertThat(storm.outcomes().keySet()).as("every answer is 204 or a problem that says why or to send later")
                        .allMatch(o -> o.matches("(act|large) (204|503)|over (413|503)|invalid (400|503)"));
                assertThat(storm.count("act 204")).as("predictions were acted on").isPositive();
                assertThat(storm.count("large 204")).as("predictions at the body limit were acted on").isPositive();
                assertThat(storm.count("over 413")).as("bodies over the limit were refused").isPositive();
                assertThat(storm.count("invalid 400")).as("invalid predictions were refused").isPositive();
                HttpResponse<String> after = send(http, control.base(), token, prediction(newZone(), 0));
                assertThat(after.statusCode()).as(after.body()).isEqualTo(204);
            }
        }
    }

    private Storm storm(HttpClient http, URI base, String token) throws InterruptedException {
        byte[] over = new byte[MAX_BODY + 1024];
        Arrays.fill(over, (byte) ' ');
        over[0] = '{';
        over[over.length - 1] = '}';
        return Storm.run(LOAD, List.of(
                new Storm.Clients("act", CLIENTS[0], acting(http, base, token, 0)),
                new Storm.Clients("large", CLIENTS[1], acting(http, base, token, MAX_BODY - 1024)),
                new Storm.Clients("over", CLIENTS[2], () -> send(http, base, token, over).statusCode()),
                new Storm.Clients("invalid", CLIENTS[3], () -> send(http, base, token, invalid()).statusCode())));
    }

    /**
     * A client of its own zone whose predictions swing between too cold and too warm, each for a
     * newer window, padded with spaces to {@code padTo} bytes: every one commands the heating and
     * the vents.
     */
    private Storm.Request acting(HttpClient http, URI base, String token, int padTo) {
        ThreadLocal<String> zone = ThreadLocal.withInitial(this::newZone);
        ThreadLocal<long[]> sequence = ThreadLocal.withInitial(() -> new long[1]);
        return () -> {
            long n = sequence.get()[0]++;
            byte[] body = prediction(zone.get(), n);
            if (padTo > body.length) {
                byte[] padded = Arrays.copyOf(body, padTo);
                Arrays.fill(padded, body.length, padTo, (byte) ' ');
                body = padded;
            }
            return send(http, base, token, body).statusCode();
        };
    }

    /** A zone whose settings let every decision move the heating and the vents, with measured values, as preprocess leaves them. */
    private String newZone() {
        String zone = "zone-" + zones.incrementAndGet();
        Document noDwell = new Document("minDwellSeconds", 0).append("minChange", 0.1);
        Document band = new Document("low", 18).append("high", 26);
        ControlTesting.settings(GREENHOUSE, zone, new Document("dayTemperature", band).append("nightTemperature", band)
                .append("actuators", new Document("heating", noDwell).append("vent", noDwell)));
        ControlTesting.measured(GREENHOUSE, zone, Instant.now(), ControlTesting.climate(22.0, 75.0, 800.0, 0.0, 0.0, 12.0));
        return zone;
    }

    /** Too cold or too warm by 5 °C, alternately, for a window newer than any before. */
    private byte[] prediction(String zone, long n) {
        Instant windowEnd = Instant.ofEpochMilli(clock.updateAndGet(t -> Math.max(t + 1, System.currentTimeMillis())));
        return PayloadCodec.write(ControlTesting.prediction(GREENHOUSE, zone, windowEnd, n % 2 == 0 ? 17.0 : 27.0, null, null,
                false));
    }

    /** A prediction without a zone: the contract refuses it. */
    private static byte[] invalid() {
        return ("{\"greenhouseId\":\"" + GREENHOUSE + "\",\"windowId\":\"w\",\"windowEnd\":\"" + Instant.now()
                + "\",\"modelName\":\"m\",\"modelVersion\":\"1\",\"featureSpecVersion\":\"v2\",\"values\":[],\"shadow\":false}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static HttpResponse<String> send(HttpClient http, URI base, String token, byte[] body)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base).timeout(Duration.ofSeconds(60))
                .header("ce-specversion", "1.0").header("ce-id", UUID.randomUUID().toString())
                .header("ce-source", "/apis/v1/namespaces/greenloop/infer").header("ce-type", EventTypes.PREDICTION)
                .header("Content-Type", "application/json").header("Authorization", token)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
