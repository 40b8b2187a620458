package dev.greenloop.preprocess;

import com.sun.net.httpserver.HttpServer;
import dev.greenloop.testkit.FreePorts;
import io.cloudevents.CloudEvent;
import io.cloudevents.http.HttpMessageFactory;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plays the Broker for tests: an HTTP server that takes binary-mode CloudEvents and keeps them,
 * and can be told to refuse the next deliveries (503). Attached to Quarkus as a test resource
 * that points {@code greenloop.preprocess.sink.url} at it.
 */
public class CapturingSink implements QuarkusTestResourceLifecycleManager {

    private static HttpServer server;
    private static final List<CloudEvent> RECEIVED = new ArrayList<>();
    private static final AtomicInteger REFUSE = new AtomicInteger();

    @Override
    public synchronized Map<String, String> start() {
        if (server == null) {
            try {
                server = HttpServer.create(new InetSocketAddress(FreePorts.LOOPBACK, FreePorts.next()), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.createContext("/", exchange -> {
                byte[] body = exchange.getRequestBody().readAllBytes();
                if (REFUSE.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    exchange.sendResponseHeaders(503, -1);
                    exchange.close();
                    return;
                }
                Map<String, String> headers = new HashMap<>();
                exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.get(0)));
                synchronized (RECEIVED) {
                    RECEIVED.add(HttpMessageFactory.createReader(headers, body).toEvent());
                }
                exchange.sendResponseHeaders(202, -1);
                exchange.close();
            });
            server.start();
        }
        return Map.of("greenloop.preprocess.sink.url", "http://" + FreePorts.LOOPBACK + ":" + server.getAddress().getPort() + "/",
                "greenloop.preprocess.sink.backoff", "20ms");
    }

    @Override
    public void stop() {
        // Shared by the test classes of this JVM.
    }

    /** Everything received so far. */
    public static List<CloudEvent> received() {
        synchronized (RECEIVED) {
            return List.copyOf(RECEIVED);
        }
    }

    /** The received events whose greenhouseid and zoneid extensions match. */
    public static List<CloudEvent> receivedFor(String greenhouse, String zone) {
        return received().stream().filter(e -> greenhouse.equals(String.valueOf(e.getExtension("greenhouseid")))
                && zone.equals(String.valueOf(e.getExtension("zoneid")))).toList();
    }

    /** Answer 503 to the next {@code n} deliveries. */
    public static void refuseNext(int n) {
        REFUSE.set(n);
    }
}
