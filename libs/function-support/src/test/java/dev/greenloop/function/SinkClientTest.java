package dev.greenloop.function;

import com.sun.net.httpserver.HttpServer;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Posting to a real HTTP sink that answers as scripted: what is retried and what is not. */
class SinkClientTest {

    private HttpServer server;
    private final Deque<Integer> statuses = new ArrayDeque<>();
    private final AtomicInteger posts = new AtomicInteger();
    private SinkClient client;
    private static final CloudEvent EVENT = CloudEventBuilder.v1().withId("e-1").withSource(URI.create("/test"))
            .withType("dev.greenloop.test").build();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            posts.incrementAndGet();
            Integer status = statuses.poll();
            exchange.sendResponseHeaders(status == null ? 202 : status, -1);
            exchange.close();
        });
        server.start();
        client = new SinkClient(Optional.of("http://127.0.0.1:" + server.getAddress().getPort() + "/"), 4,
                Duration.ofMillis(5), Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void whatKnativeRetriesIsRetried() {
        statuses.addAll(List.of(503, 404, 429));

        client.send(EVENT);

        assertThat(posts.get()).isEqualTo(4);
    }

    @Test
    void aRefusalIsNotRetried() {
        statuses.add(400);

        assertThatThrownBy(() -> client.send(EVENT)).isInstanceOf(SinkClient.SinkUnavailableException.class)
                .hasMessageContaining("refused event e-1").hasMessageContaining("status 400").hasMessageContaining("not retried");
        assertThat(posts.get()).isEqualTo(1);
    }

    @Test
    void afterTheLastAttemptTheLastAnswerIsSaid() {
        statuses.addAll(List.of(503, 503, 503, 500));

        assertThatThrownBy(() -> client.send(EVENT)).hasMessageContaining("after 4 attempts").hasMessageContaining("status 500");
        assertThat(posts.get()).isEqualTo(4);
    }
}
