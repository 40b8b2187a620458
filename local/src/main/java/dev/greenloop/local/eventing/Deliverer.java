package dev.greenloop.local.eventing;

import dev.greenloop.events.KnativeDelivery;
import io.cloudevents.CloudEvent;
import io.cloudevents.http.HttpMessageFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Delivers one event to a subscriber as Knative's Kafka Broker dispatcher does: binary mode,
 * with the subscriber's OIDC token, retried per {@link DeliverySpec} on the statuses Knative
 * retries (and on no answer), and the answer read as Knative reads it: an empty body without
 * CloudEvents headers is no reply; a binary or structured CloudEvent is the reply; any other
 * body on a 2xx is a failure ("unable to decode response"), not retried.
 */
public final class Deliverer {

    /** What became of a delivery: delivered (with the reply, if any), or failed with the last answer. */
    public record Outcome(boolean delivered, Optional<CloudEvent> reply, int status, String body, int attempts) {
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final Function<String, String> tokens;
    private final Duration attemptTimeout;

    /**
     * @param tokens         an OIDC token for an audience
     * @param attemptTimeout how long one attempt may take
     */
    public Deliverer(Function<String, String> tokens, Duration attemptTimeout) {
        this.tokens = tokens;
        this.attemptTimeout = attemptTimeout;
    }

    /** Delivers {@code event} to {@code target}; {@code running} false stops between attempts. */
    public Outcome deliver(CloudEvent event, URI target, String audience, DeliverySpec spec, BooleanSupplier running)
            throws InterruptedException {
        int status = 0;
        String body = "";
        int attempt = 0;
        for (; attempt <= spec.retries() && running.getAsBoolean(); attempt++) {
            if (attempt > 0) {
                Thread.sleep(spec.backoff(attempt).toMillis());
            }
            HttpResponse<byte[]> response;
            try {
                response = http.send(request(event, target, audience), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                status = 0;
                body = e.toString();
                continue;
            }
            status = response.statusCode();
            body = new String(response.body(), StandardCharsets.UTF_8);
            if (status >= 200 && status < 300) {
                try {
                    return new Outcome(true, reply(response), status, body, attempt + 1);
                } catch (RuntimeException e) {
                    return new Outcome(false, Optional.empty(), status,
                            "unable to decode response: unknown encoding and non empty response (" + e.getMessage() + ")",
                            attempt + 1);
                }
            }
            if (!KnativeDelivery.retryable(status)) {
                return new Outcome(false, Optional.empty(), status, body, attempt + 1);
            }
        }
        return new Outcome(false, Optional.empty(), status, body, attempt);
    }

    private HttpRequest request(CloudEvent event, URI target, String audience) {
        HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(attemptTimeout);
        byte[][] out = new byte[1][];
        HttpMessageFactory.createWriter(request::header, b -> out[0] = b).writeBinary(event);
        if (audience != null) {
            request.header("Authorization", "Bearer " + tokens.apply(audience));
        }
        return request.POST(HttpRequest.BodyPublishers.ofByteArray(out[0] == null ? new byte[0] : out[0])).build();
    }

    /** The reply in a 2xx answer, as Knative's response handler reads it; throws when the body is not an event. */
    static Optional<CloudEvent> reply(HttpResponse<byte[]> response) {
        Map<String, String> headers = flatten(response.headers().map());
        boolean binary = headers.containsKey("ce-id") || headers.containsKey("ce-specversion");
        boolean structured = headers.getOrDefault("content-type", "").startsWith("application/cloudevents");
        if (!binary && !structured) {
            if (response.body().length == 0) {
                return Optional.empty();
            }
            throw new IllegalArgumentException("a " + response.statusCode() + " answer with a body that is not a CloudEvent");
        }
        return Optional.of(HttpMessageFactory.createReader(headers, response.body()).toEvent());
    }

    /** The first value of each header, by lower-case name. */
    private static Map<String, String> flatten(Map<String, List<String>> headers) {
        Map<String, String> out = new HashMap<>();
        headers.forEach((k, v) -> {
            if (!v.isEmpty()) {
                out.put(k.toLowerCase(Locale.ROOT), v.get(0));
            }
        });
        return out;
    }
}
