package dev.greenloop.testkit.sink;

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
 * and can be told to refuse the next deliveries (503). One per JVM. As a Quarkus test resource it
 * sets {@code K_SINK} (the variable a SinkBinding sets) and the key named by its
 * {@code property} init argument to its URL.
 */
public class CapturingSink implements QuarkusTestResourceLifecycleManager {

    private static HttpServer server;
    private static final List<CloudEvent> RECEIVED = new ArrayList<>();
    private static final AtomicInteger REFUSE = new AtomicInteger();

    private String property;

    @Override
    public void init(Map<String, String> initArgs) {
        property = initArgs.get("property");
    }

    /** The sink's URL, starting it if needed. */
    public static synchronized String url() {
        new CapturingSink().start();
        return "http://" + FreePorts.LOOPBACK + ":" + server.getAddress().getPort() + "/";
    }

    @Override
    public Map<String, String> start() {
        synchronized (CapturingSink.class) {
            if (server == null) {
                open();
            }
        }
        String url = "http://" + FreePorts.LOOPBACK + ":" + server.getAddress().getPort() + "/";
        Map<String, String> config = new java.util.HashMap<>(Map.of("K_SINK", url));
        if (property != null) {
            config.put(property, url);
        }
        return config;
    }

    private static void open() {
        {
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
