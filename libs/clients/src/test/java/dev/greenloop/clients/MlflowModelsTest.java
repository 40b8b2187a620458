package dev.greenloop.clients;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** How the registry is asked: plain HTTP/1.1 requests, aliases read from one search. */
class MlflowModelsTest {

    @Test
    void theRegistryIsAskedOverHttp11WithoutAnUpgradeAttempt() throws Exception {
        List<Map<String, List<String>>> seen = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            seen.add(Map.copyOf(exchange.getRequestHeaders()));
            byte[] body = ("{\"registered_models\":[{\"name\":\"greenloop-gh-1\",\"aliases\":[{\"alias\":\"champion\","
                    + "\"version\":\"3\"}]}]}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            MlflowModels models = new MlflowModels(URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                    Duration.ofSeconds(5), 1 << 20);
            assertThat(models.aliases("greenloop-")).containsEntry("greenloop-gh-1", Map.of("champion", "3"));
            assertThat(models.aliases("greenloop-")).hasSize(1);
        } finally {
            server.stop(0);
        }
        assertThat(seen).hasSize(2).allSatisfy(headers -> assertThat(headers.keySet())
                .as("an HTTP/2 upgrade attempt (h2c) the MLflow server logs warnings for")
                .noneMatch(h -> h.equalsIgnoreCase("Upgrade") || h.equalsIgnoreCase("HTTP2-Settings")));
    }
}
