package dev.greenloop.infer;

import dev.greenloop.testkit.http.RawHttp;
import dev.greenloop.testkit.http.RawHttp.Answer;
import dev.greenloop.testkit.http.ScrapedGauge;
import dev.greenloop.testkit.oidc.SenderTokens;
import dev.greenloop.testkit.quarkus.MlflowResource;
import dev.greenloop.testkit.quarkus.OidcResource;
import dev.greenloop.testkit.sink.CapturingSink;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The body budget in a Funqy function: Funqy's binding makes Quarkus read every body whole before
 * any route, so the budget must decide from the headers before that. While one body of 40,000
 * bytes is held half-sent, a second does not fit a budget of 64,000 and is refused at once, on the
 * HTTP API and on the CloudEvents endpoint alike; once the first is gone, it is taken. A CloudEvent
 * without a sender token is refused before its body counts at all.
 */
@QuarkusTest
@TestProfile(BodyBudgetTest.SmallBudget.class)
@WithTestResource(value = OidcResource.class, initArgs = @ResourceArg(name = "audience", value = "greenloop-infer"))
@WithTestResource(MlflowResource.class)
@WithTestResource(CapturingSink.class)
class BodyBudgetTest {

    static final int BODY = 40_000;

    @TestHTTPResource("/")
    URL root;

    @TestHTTPResource(value = "metrics", management = true)
    URL metricsUrl;

    public static class SmallBudget implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("greenloop.http.max-body-bytes-in-flight", "64000");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/predict", "/"})
    void aBodyThatDoesNotFitIsRefusedBeforeItIsRead(String path) throws Exception {
        Answer refused;
        // A CloudEvent's sender is verified before its body counts, so the events held carry a valid token.
        Map<String, String> headers = "/".equals(path) ? Map.of("Authorization", validSender()) : Map.of();
        try (Socket held = RawHttp.stalled(root, path, BODY, headers)) {
            awaitBytesInFlight(BODY);
            refused = awaitAnswer(path, headers, a -> a.status() == 503 && a.body().contains("bytes of request bodies"));

            assertThat(refused.status()).as("a second body while one is held: %s", refused).isEqualTo(503);
            assertThat(refused.header("content-type")).startsWith("application/problem+json");
            assertThat(refused.header("retry-after")).isEqualTo("5");
            assertThat(refused.body()).contains("holds " + BODY + " bytes of request bodies and may hold at most 64000");
        }

        Answer taken = awaitAnswer(path, headers, a -> a.status() != 503);
        assertThat(taken.status()).as("once the held body is gone: %s", taken).isBetween(200, 499);
    }

    @Test
    void aSenderWithoutATokenIsRefusedBeforeItsBodyCounts() throws Exception {
        try (Socket unauthenticated = RawHttp.stalled(root, "/", BODY)) {
            unauthenticated.setSoTimeout(30_000);

            // Answered and closed while the body has not come.
            String answer = new String(unauthenticated.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(answer).startsWith("HTTP/1.1 401").contains("unauthenticated");
        }
        awaitBytesInFlight(0);
    }

    private static String validSender() {
        return SenderTokens.forAudience("greenloop-infer").stream().filter(SenderTokens.Sender::valid).findFirst()
                .orElseThrow().authorization();
    }

    private void awaitBytesInFlight(long expected) throws InterruptedException {
        ScrapedGauge.await(metricsUrl, "greenloop_http_body_bytes_in_flight_bytes", expected, Duration.ofSeconds(20));
    }

    /** Sends a 40,000-byte body with {@code headers} to {@code path} until the answer is {@code wanted}, for at most 20 s. */
    private Answer awaitAnswer(String path, Map<String, String> headers, java.util.function.Predicate<Answer> wanted)
            throws IOException, InterruptedException {
        byte[] body = new byte[BODY];
        Arrays.fill(body, (byte) ' ');
        body[0] = '{';
        body[BODY - 1] = '}';
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Answer answer;
        do {
            answer = RawHttp.send(root, "POST", path, "application/json", body, headers);
            if (wanted.test(answer)) {
                return answer;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        return answer;
    }
}
