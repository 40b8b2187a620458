package dev.greenloop.local.eventing;

import com.sun.net.httpserver.HttpServer;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** One delivery against a real HTTP subscriber that answers as scripted. */
class DelivererTest {

    /** An answer: status, headers, body. */
    record Answer(int status, Map<String, String> headers, String body) {
        static Answer of(int status) {
            return new Answer(status, Map.of(), "");
        }
    }

    private HttpServer server;
    private final Deque<Answer> script = new ArrayDeque<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private URI target;
    private final Deliverer deliverer = new Deliverer(audience -> "token-for-" + audience, Duration.ofSeconds(5));
    private static final DeliverySpec THREE_QUICK_RETRIES = new DeliverySpec(3, true, Duration.ofMillis(10), true);
    private static final CloudEvent EVENT = CloudEventBuilder.v1().withId("e-1").withSource(URI.create("/test"))
            .withType("dev.greenloop.test").withData("application/json", "{}".getBytes(StandardCharsets.UTF_8)).build();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            Answer a = script.isEmpty() ? Answer.of(200) : script.poll();
            a.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
        target = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private Deliverer.Outcome deliver() throws InterruptedException {
        return deliverer.deliver(EVENT, target, "greenloop-x", THREE_QUICK_RETRIES, () -> true);
    }

    @Test
    void retriesWhatKnativeRetriesThenDelivers() throws Exception {
        script.addAll(List.of(Answer.of(404), Answer.of(409), Answer.of(429)));

        Deliverer.Outcome outcome = deliver();

        assertThat(outcome.delivered()).isTrue();
        assertThat(outcome.attempts()).isEqualTo(4);
        assertThat(authorizations).hasSize(4).allMatch("Bearer token-for-greenloop-x"::equals);
    }

    @Test
    void aRefusalIsNotRetried() throws Exception {
        script.add(new Answer(422, Map.of("Content-Type", "application/problem+json"), "{\"detail\":\"bad\"}"));

        Deliverer.Outcome outcome = deliver();

        assertThat(outcome.delivered()).isFalse();
        assertThat(outcome.attempts()).isEqualTo(1);
        assertThat(outcome.status()).isEqualTo(422);
        assertThat(outcome.body()).contains("bad");
    }

    @Test
    void afterEveryRetryTheLastAnswerIsKept() throws Exception {
        script.addAll(List.of(Answer.of(503), Answer.of(503), Answer.of(503), new Answer(500, Map.of(), "still down")));

        Deliverer.Outcome outcome = deliver();

        assertThat(outcome.delivered()).isFalse();
        assertThat(outcome.attempts()).isEqualTo(4);
        assertThat(outcome.status()).isEqualTo(500);
        assertThat(outcome.body()).isEqualTo("still down");
    }

    @Test
    void noAnswerIsRetried() throws Exception {
        server.stop(0);

        Deliverer.Outcome outcome = deliver();

        assertThat(outcome.delivered()).isFalse();
        assertThat(outcome.attempts()).isEqualTo(4);
        assertThat(outcome.status()).isZero();
    }

    @Test
    void repliesAreReadAsKnativeReadsThem() throws Exception {
        // Binary mode.
        script.add(new Answer(200, Map.of("ce-specversion", "1.0", "ce-id", "r-1", "ce-source", "/f", "ce-type", "t.reply",
                "Content-Type", "application/json"), "{\"a\":1}"));
        assertThat(deliver().reply()).hasValueSatisfying(r -> assertThat(r.getId()).isEqualTo("r-1"));
        // Structured mode: no ce- headers, the event is the body.
        script.add(new Answer(200, Map.of("Content-Type", "application/cloudevents+json"),
                "{\"specversion\":\"1.0\",\"id\":\"r-2\",\"source\":\"/f\",\"type\":\"t.reply\"}"));
        assertThat(deliver().reply()).hasValueSatisfying(r -> assertThat(r.getId()).isEqualTo("r-2"));
        // Accepted with nothing to say: no reply.
        script.add(Answer.of(202));
        Deliverer.Outcome accepted = deliver();
        assertThat(accepted.delivered()).isTrue();
        assertThat(accepted.reply()).isEmpty();
        // A body that is no event: a failure, not retried.
        script.add(new Answer(200, Map.of("Content-Type", "text/plain"), "ok"));
        Deliverer.Outcome garbage = deliver();
        assertThat(garbage.delivered()).isFalse();
        assertThat(garbage.attempts()).isEqualTo(1);
        assertThat(garbage.body()).startsWith("unable to decode response");
    }

    @Test
    void aStopBetweenAttemptsEndsTheDelivery() throws Exception {
        script.addAll(List.of(Answer.of(503), Answer.of(503)));
        boolean[] running = {true};

        Deliverer.Outcome outcome = deliverer.deliver(EVENT, target, null, THREE_QUICK_RETRIES, () -> {
            boolean r = running[0];
            running[0] = false;
            return r;
        });

        assertThat(outcome.delivered()).isFalse();
        assertThat(outcome.attempts()).isEqualTo(1);
        assertThat(authorizations).containsExactly((String) null);
    }
}
