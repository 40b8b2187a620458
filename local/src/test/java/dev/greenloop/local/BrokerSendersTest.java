package dev.greenloop.local;

import dev.greenloop.local.wiring.Manifests;
import dev.greenloop.testkit.kafka.KafkaBroker;
import dev.greenloop.testkit.oidc.OidcIssuer;
import io.cloudevents.CloudEvent;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Broker's ingress admits what the EventPolicy {@code broker-senders} names, as Knative's does:
 * every function with a SinkBinding posts in the name of the service account its Service runs as,
 * and the policy names each of them; anyone else with a valid token gets 403, without one 401.
 */
class BrokerSendersTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void everySinkBindingSubjectPostsAsItsServiceAccountAndThePolicyAdmitsItAndNoOtherFunction() throws Exception {
        try (Dispatcher dispatcher = new Dispatcher(Manifests.load(ROOT.resolve("eventing")),
                Manifests.load(ROOT.resolve("knative/base")), KafkaBroker.shared().bootstrapServers(),
                name -> URI.create("http://127.0.0.1:9/"), Clock.systemUTC())) {
            Map<String, String> subjects = new java.util.TreeMap<>();
            for (String function : Stack.FUNCTIONS) {
                Path token = dispatcher.sinkTokenFile(function);
                if (token != null) {
                    subjects.put(function, subject(Files.readString(token)));
                }
            }

            assertThat(subjects).containsOnlyKeys("infer", "monitor", "preprocess", "train-launcher")
                    .containsEntry("monitor", "system:serviceaccount:greenloop:greenloop-monitor")
                    .containsEntry("train-launcher", "system:serviceaccount:greenloop:train-launcher");
            assertThat(subjects.values()).allSatisfy(s -> assertThat(dispatcher.admits(s)).as(s).isTrue());
            assertThat(dispatcher.admits("system:serviceaccount:greenloop:greenloop-control")).isFalse();
            assertThat(dispatcher.admits("system:serviceaccount:greenloop:greenloop-ingest")).isFalse();
        }
    }

    @Test
    void theIngressAnswers401WithoutATokenAnd403ToASubjectThePolicyDoesNotName() throws Exception {
        List<CloudEvent> published = new CopyOnWriteArrayList<>();
        OidcIssuer issuer = OidcIssuer.start();
        try (issuer; BrokerIngress ingress = new BrokerIngress(issuer, Map.of(),
                subject -> subject.equals("system:serviceaccount:greenloop:greenloop-monitor"), published::add)) {
            ingress.start();
            String admitted = issuer.token(Dispatcher.BROKER_AUDIENCE, "system:serviceaccount:greenloop:greenloop-monitor",
                    Instant.now(), Duration.ofMinutes(5));
            String other = issuer.token(Dispatcher.BROKER_AUDIENCE, "system:serviceaccount:greenloop:greenloop-control",
                    Instant.now(), Duration.ofMinutes(5));

            int none = post(ingress.url(), null, "e-1");
            int refused = post(ingress.url(), other, "e-2");
            int taken = post(ingress.url(), admitted, "e-3");

            assertThat(none).isEqualTo(401);
            assertThat(refused).isEqualTo(403);
            assertThat(taken).isEqualTo(202);
            assertThat(published).extracting(CloudEvent::getId).containsExactly("e-3");
        }
    }

    private static int post(URI to, String token, String id) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(to).header("ce-specversion", "1.0").header("ce-id", id)
                .header("ce-source", "/test").header("ce-type", "dev.greenloop.test.v1").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The {@code sub} claim of a JWT (its signature is the issuer's business, checked by the ingress). */
    private static String subject(String jwt) throws Exception {
        String payload = new String(Base64.getUrlDecoder().decode(jwt.trim().split("\\.")[1]), StandardCharsets.UTF_8);
        return dev.greenloop.events.json.EventJson.mapper().readTree(payload).path("sub").asText();
    }
}
