package dev.greenloop.ingest;

import dev.greenloop.testkit.http.ScrapedGauge;
import dev.greenloop.testkit.quarkus.KafkaResource;
import dev.greenloop.testkit.quarkus.MongoResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static dev.greenloop.ingest.IngestTesting.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The body budget: what a request body may take of an instance's memory is decided from its
 * headers, before the body is read. Raw sockets, so that a body can be declared and then sent late,
 * in part, or never.
 */
@QuarkusTest
@TestProfile(BodyBudgetTest.SmallBudget.class)
@WithTestResource(KafkaResource.class)
@WithTestResource(MongoResource.class)
class BodyBudgetTest {

    static final int BODY = 40_000;

    @TestHTTPResource("/")
    URL root;

    @TestHTTPResource(value = "metrics", management = true)
    URL metricsUrl;

    public static class SmallBudget implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("greenloop.ingest.limits.max-body-bytes", "50000",
                    "greenloop.http.max-body-bytes-in-flight", "64000");
        }
    }

    @Test
    void aDeclaredBodyOverTheLimitIs413BeforeItIsSent() throws Exception {
        try (Socket socket = connect()) {
            socket.getOutputStream().write(head(60_000).getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();

            String answer = readAnswer(socket);

            assertThat(answer).startsWith("HTTP/1.1 413").contains("application/problem+json")
                    .contains("the body has 60000 bytes; at most 50000 are accepted");
        }
    }

    @Test
    void aBodyThatDoesNotFitIs503WhileAnotherIsHeldAndFitsOnceItIsDone() throws Exception {
        byte[] body = paddedBatch(BODY);
        try (Socket held = connect()) {
            OutputStream out = held.getOutputStream();
            out.write(head(BODY).getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, 1_000);
            out.flush();
            awaitBytesInFlight(BODY);

            try (Socket second = connect()) {
                second.getOutputStream().write(head(BODY).getBytes(StandardCharsets.US_ASCII));
                second.getOutputStream().flush();
                String refused = readAnswer(second);

                assertThat(refused).startsWith("HTTP/1.1 503").contains("application/problem+json")
                        .containsIgnoringCase("Retry-After: 5")
                        .contains("holds " + BODY + " bytes of request bodies and may hold at most 64000");
            }

            out.write(body, 1_000, body.length - 1_000);
            out.flush();
            assertThat(readAnswer(held)).as("the held request, once its body is in").startsWith("HTTP/1.1 202");
        }
        awaitBytesInFlight(0);
        try (Socket third = connect()) {
            third.getOutputStream().write(head(BODY).getBytes(StandardCharsets.US_ASCII));
            third.getOutputStream().write(paddedBatch(BODY));
            third.getOutputStream().flush();
            assertThat(readAnswer(third)).as("the budget is free again").startsWith("HTTP/1.1 202");
        }
    }

    @Test
    void aClientThatHangsUpMidBodyGivesItsShareBack() throws Exception {
        try (Socket abandoned = connect()) {
            abandoned.getOutputStream().write(head(BODY).getBytes(StandardCharsets.US_ASCII));
            abandoned.getOutputStream().write(paddedBatch(BODY), 0, 500);
            abandoned.getOutputStream().flush();
            awaitBytesInFlight(BODY);
        }

        awaitBytesInFlight(0);
    }

    @Test
    void aBodyWithoutADeclaredLengthReservesTheServersLimit() throws Exception {
        // The server reads up to 16 MiB of a chunked body: more than this budget, so it is let in
        // only when nothing else is held, and a declared body waits (503) until it is done.
        byte[] body = paddedBatch(2_000);
        try (Socket chunked = connect()) {
            OutputStream out = chunked.getOutputStream();
            out.write(("POST /v1/greenhouses/" + GREENHOUSE + "/readings HTTP/1.1\r\nHost: localhost\r\n"
                    + "Authorization: Bearer " + TOKEN + "\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write((Integer.toHexString(1_000) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, 1_000);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            awaitBytesInFlight(16L * 1024 * 1024);

            try (Socket declared = connect()) {
                declared.getOutputStream().write(head(BODY).getBytes(StandardCharsets.US_ASCII));
                declared.getOutputStream().flush();
                assertThat(readAnswer(declared)).startsWith("HTTP/1.1 503");
            }

            out.write((Integer.toHexString(1_000) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, 1_000, 1_000);
            out.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readAnswer(chunked)).startsWith("HTTP/1.1 202");
        }
        awaitBytesInFlight(0);
    }

    @Test
    void aRequestWithoutAValidTokenIs401BeforeItsBodyIsSentAndHoldsNoBudget() throws Exception {
        // Missing, unknown (looked up in MongoDB), unknown again (cached), and of the wrong scheme.
        String unknown = "Bearer glt_unknown-" + java.util.UUID.randomUUID();
        for (String authorization : new String[] {null, unknown, unknown, "Basic Y2xpbWF0ZS0xOnNlY3JldA=="}) {
            try (Socket refused = connect()) {
                refused.getOutputStream().write(head(BODY, authorization).getBytes(StandardCharsets.US_ASCII));
                refused.getOutputStream().flush();
                // Its body never comes, and a device's body of the same size still fits beside it.
                try (Socket valid = connect()) {
                    valid.getOutputStream().write(head(BODY).getBytes(StandardCharsets.US_ASCII));
                    valid.getOutputStream().write(paddedBatch(BODY));
                    valid.getOutputStream().flush();
                    assertThat(readAnswer(valid)).as("a device beside " + authorization).startsWith("HTTP/1.1 202");
                }

                assertThat(readAnswer(refused)).as(String.valueOf(authorization)).startsWith("HTTP/1.1 401")
                        .contains("application/problem+json").containsIgnoringCase("WWW-Authenticate: Bearer realm=\"greenloop\"").containsIgnoringCase("Connection: close")
                        .contains(authorization == null ? "send the device token" : authorization.startsWith("Basic")
                                ? "only Bearer device tokens" : "unknown or revoked device token");
                assertThat(refused.getInputStream().read()).as("the connection is closed after the answer").isEqualTo(-1);
            }
        }
        awaitBytesInFlight(0);
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(root.getHost(), root.getPort());
        socket.setSoTimeout(20_000);
        return socket;
    }

    private static String head(int contentLength) {
        return head(contentLength, "Bearer " + TOKEN);
    }

    /** A readings request's head with {@code authorization} (none when null). */
    private static String head(int contentLength, String authorization) {
        return "POST /v1/greenhouses/" + GREENHOUSE + "/readings HTTP/1.1\r\nHost: localhost\r\n"
                + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                + "Content-Type: application/json\r\nContent-Length: " + contentLength + "\r\n\r\n";
    }

    /** A valid one-reading batch padded with spaces to exactly {@code size} bytes. */
    private static byte[] paddedBatch(int size) {
        String json = batch(reading("co2", 600, "ppm", recent(1)));
        assertThat(json.length()).isLessThan(size);
        return (json + " ".repeat(size - json.length())).getBytes(StandardCharsets.US_ASCII);
    }

    /** The status line, headers and body of one answer (Content-Length framed, as ingest answers). */
    private static String readAnswer(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        String headers = head.toString(StandardCharsets.US_ASCII);
        int length = headers.lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
                .map(l -> Integer.parseInt(l.substring(l.indexOf(':') + 1).strip())).findFirst().orElse(0);
        byte[] body = in.readNBytes(length);
        return headers + new String(body, StandardCharsets.UTF_8);
    }

    private void awaitBytesInFlight(long expected) throws InterruptedException {
        ScrapedGauge.await(metricsUrl, "greenloop_http_body_bytes_in_flight_bytes", expected, Duration.ofSeconds(20));
    }
}
