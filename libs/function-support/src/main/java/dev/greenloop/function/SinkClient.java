package dev.greenloop.function;

import dev.greenloop.events.KnativeDelivery;
import dev.greenloop.function.base.FunctionException;
import dev.greenloop.function.base.ProblemKind;
import io.cloudevents.CloudEvent;
import io.cloudevents.http.HttpMessageFactory;
import io.smallrye.faulttolerance.api.Guard;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Posts events to the sink a SinkBinding injects ({@code K_SINK}, the Broker) in binary mode,
 * retrying with exponential backoff on no answer and on the statuses Knative retries (a SmallRye
 * Fault Tolerance {@link Guard}); any other answer is a refusal, not retried. Knative Sources discard replies, so functions fed by a
 * Source (or working on their own, like a local training process) emit here. Blocking;
 * thread-safe.
 */
public final class SinkClient {

    private static final Logger LOG = Logger.getLogger(SinkClient.class);

    private final URI sink;
    private final int attempts;
    private final Duration timeout;
    private final HttpClient http;
    private final Guard guard;
    private final Optional<Path> tokenFile = ConfigProvider.getConfig()
            .getOptionalValue("greenloop.sink.token-file", String.class).filter(f -> !f.isBlank()).map(Path::of);
    private volatile CachedToken token;

    public SinkClient(Optional<String> url, int attempts, Duration backoff, Duration timeout) {
        this.sink = url.filter(s -> !s.isBlank()).map(URI::create).orElse(null);
        this.attempts = Math.max(1, attempts);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
        // Knative's exponential policy: backoff, 2 × backoff, 4 × backoff, ... between attempts, no jitter.
        this.guard = Guard.create().withDescription("sink " + sink)
                .withRetry().maxRetries(this.attempts - 1).delay(backoff.toMillis(), ChronoUnit.MILLIS).jitter(0, ChronoUnit.MILLIS)
                .maxDuration(1, ChronoUnit.DAYS).retryOn(Retryable.class)
                .withExponentialBackoff().factor(2).maxDelay(1, ChronoUnit.HOURS).done()
                .done().build();
        if (sink == null) {
            LOG.warn("No sink configured (K_SINK): events that must go to the Broker cannot be sent");
        }
    }

    /** Thrown when the sink did not take an event; answered 503, so the delivery is retried. */
    public static final class SinkUnavailableException extends FunctionException {
        public SinkUnavailableException(String message, Throwable cause) {
            super(ProblemKind.of(503, "sink-unavailable"), message, cause);
        }
    }

    /**
     * The OIDC access token for the sink: {@code greenloop.sink.token-file} or
     * {@code GREENLOOP_SINK_TOKEN_FILE}, a projected token for the Broker's audience, none when
     * unset (a Broker without {@code authentication-oidc}). The kubelet rotates the file in place,
     * so it is read again when its modification time changes, not on every send.
     */
    private Optional<String> token() {
        if (tokenFile.isEmpty()) {
            return Optional.empty();
        }
        Path file = tokenFile.get();
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            CachedToken cached = token;
            if (cached == null || !cached.modified().equals(modified)) {
                cached = new CachedToken(modified, Files.readString(file).trim());
                token = cached;
            }
            return Optional.of(cached.value()).filter(t -> !t.isEmpty());
        } catch (IOException e) {
            throw new SinkUnavailableException("cannot read the sink's token from " + file + ": " + e.getMessage(), e);
        }
    }

    private record CachedToken(FileTime modified, String value) {
    }


    /** Delivers {@code event}; returns once the sink answered 2xx. */
    public void send(CloudEvent event) {
        if (sink == null) {
            throw new SinkUnavailableException("no sink configured: set K_SINK (a SinkBinding does)", null);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        byte[][] body = {new byte[0]};
        HttpMessageFactory.createWriter(headers::put, bytes -> body[0] = bytes == null ? new byte[0] : bytes).writeBinary(event);
        HttpRequest.Builder request = HttpRequest.newBuilder(sink).timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body[0]));
        headers.forEach(request::header);
        token().ifPresent(t -> request.header("Authorization", "Bearer " + t));
        HttpRequest built = request.build();
        try {
            guard.call(() -> post(built, event), Void.class);
        } catch (Retryable e) {
            throw new SinkUnavailableException("the sink " + sink + " did not take event " + event.getId() + " after "
                    + attempts + " attempts (last: " + e.getMessage() + ")", null);
        } catch (SinkUnavailableException e) {
            throw e;
        } catch (Exception e) {
            throw new SinkUnavailableException("posting event " + event.getId() + " to the sink " + sink + " failed: " + e, e);
        }
    }

    /** One attempt: returns on 2xx; throws {@link Retryable} for what Knative retries, a refusal otherwise. */
    private Void post(HttpRequest request, CloudEvent event) throws Retryable {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Retryable(e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SinkUnavailableException("interrupted while posting to the sink", e);
        }
        if (response.statusCode() / 100 == 2) {
            return null;
        }
        String answer = "status " + response.statusCode() + ": " + abbreviate(response.body());
        if (!KnativeDelivery.retryable(response.statusCode())) {
            throw new SinkUnavailableException("the sink " + sink + " refused event " + event.getId() + " ("
                    + answer + "); not retried", null);
        }
        throw new Retryable(answer);
    }

    /** An attempt that failed the way Knative retries: no answer, or a retryable status; the message says which. */
    private static final class Retryable extends Exception {
        Retryable(String message) {
            super(message, null, false, false);
        }
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
