package dev.greenloop.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.greenloop.testkit.oidc.OidcIssuer;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.http.HttpMessageFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The Broker's HTTP ingress ({@code K_SINK}): binary or structured CloudEvents in, 202 once they
 * are in the Broker's topic. As with Knative Eventing's {@code authentication-oidc}, a post must
 * carry a token for the Broker's audience ({@link Dispatcher#BROKER_AUDIENCE}), else 401, whose
 * subject the Broker's EventPolicy admits, else 403 (as Knative answers a sender no policy names). Job
 * status events the local launcher posts get the ApiServerSource's {@code ceOverrides}, as the
 * source would add them.
 */
final class BrokerIngress implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService workers = Executors.newFixedThreadPool(8);
    private final OidcIssuer issuer;
    private final Map<String, String> apiServerOverrides;
    private final Consumer<CloudEvent> publish;
    private final Predicate<String> admitted;

    /** An ingress that admits every subject with a valid token (a Broker without an EventPolicy). */
    BrokerIngress(OidcIssuer issuer, Map<String, String> apiServerOverrides, Consumer<CloudEvent> publish) throws IOException {
        this(issuer, apiServerOverrides, subject -> true, publish);
    }

    /** @param admitted whether the Broker's EventPolicy admits a token's subject */
    BrokerIngress(OidcIssuer issuer, Map<String, String> apiServerOverrides, Predicate<String> admitted,
                  Consumer<CloudEvent> publish) throws IOException {
        this.issuer = issuer;
        this.admitted = admitted;
        this.apiServerOverrides = Map.copyOf(apiServerOverrides);
        this.publish = publish;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/", this::receive);
        server.setExecutor(workers);
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    void start() {
        server.start();
    }

    private void receive(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = in.readAllBytes();
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            String subject;
            try {
                subject = issuer.verify(authorization == null ? "" : authorization.replaceFirst("^Bearer ", ""),
                        Dispatcher.BROKER_AUDIENCE);
            } catch (IllegalArgumentException e) {
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            if (!admitted.test(subject)) {
                System.err.println("dispatcher: the Broker refused a post from " + subject + ": no EventPolicy admits it");
                exchange.sendResponseHeaders(403, -1);
                return;
            }
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.get(0)));
            CloudEvent event;
            try {
                event = HttpMessageFactory.createReader(headers, body).toEvent();
            } catch (RuntimeException e) {
                byte[] problem = ("{\"status\":400,\"detail\":\"not a CloudEvent: " + e.getMessage().replace("\"", "'")
                        + "\"}").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/problem+json");
                exchange.sendResponseHeaders(400, problem.length);
                exchange.getResponseBody().write(problem);
                return;
            }
            if (event.getType().startsWith("dev.knative.apiserver.") && !apiServerOverrides.isEmpty()) {
                CloudEventBuilder b = CloudEventBuilder.v1(event);
                apiServerOverrides.forEach(b::withExtension);
                event = b.build();
            }
            publish.accept(event);
            exchange.sendResponseHeaders(202, -1);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }
}
