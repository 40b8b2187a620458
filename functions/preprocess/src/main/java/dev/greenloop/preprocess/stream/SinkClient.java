package dev.greenloop.preprocess.stream;

import dev.greenloop.preprocess.PreprocessConfig;
import dev.greenloop.preprocess.PreprocessException;
import dev.greenloop.preprocess.PreprocessException.Kind;
import io.cloudevents.CloudEvent;
import io.cloudevents.http.HttpMessageFactory;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Posts events to the sink a SinkBinding injects ({@code K_SINK}, the Broker) in binary mode,
 * retrying with exponential backoff. Knative Sources discard replies, which is why the streaming
 * path emits here rather than by replying. Blocking; thread-safe.
 */
@ApplicationScoped
public class SinkClient {

    private static final Logger LOG = Logger.getLogger(SinkClient.class);

    private final URI sink;
    private final int attempts;
    private final Duration backoff;
    private final Duration timeout;
    private final HttpClient http;

    public SinkClient(PreprocessConfig config) {
        this.sink = config.sink().url().filter(s -> !s.isBlank()).map(URI::create).orElse(null);
        this.attempts = Math.max(1, config.sink().attempts());
        this.backoff = config.sink().backoff();
        this.timeout = config.sink().timeout();
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
        if (sink == null) {
            LOG.warn("No sink configured (K_SINK / greenloop.preprocess.sink.url): feature windows cannot be emitted");
        }
    }

    /**
     * Delivers {@code event}; returns once the sink answered 2xx.
     *
     * @throws PreprocessException {@code SINK_UNAVAILABLE} after the last attempt failed
     */
    public void send(CloudEvent event) {
        if (sink == null) {
            throw new PreprocessException(Kind.SINK_UNAVAILABLE, "no sink configured: set K_SINK (a SinkBinding does)");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        byte[][] body = {new byte[0]};
        HttpMessageFactory.createWriter(headers::put, bytes -> body[0] = bytes == null ? new byte[0] : bytes).writeBinary(event);
        HttpRequest.Builder request = HttpRequest.newBuilder(sink).timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body[0]));
        headers.forEach(request::header);
        String last = "";
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() / 100 == 2) {
                    return;
                }
                last = "status " + response.statusCode() + ": " + abbreviate(response.body());
            } catch (IOException e) {
                last = e.getClass().getSimpleName() + ": " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PreprocessException(Kind.SINK_UNAVAILABLE, "interrupted while posting to the sink", e);
            }
            if (attempt < attempts) {
                sleep(backoff.multipliedBy(1L << (attempt - 1)));
            }
        }
        throw new PreprocessException(Kind.SINK_UNAVAILABLE, "the sink " + sink + " did not take event " + event.getId()
                + " after " + attempts + " attempts (last: " + last + ")");
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
