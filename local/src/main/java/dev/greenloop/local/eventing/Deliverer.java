package dev.greenloop.local.eventing;

import dev.greenloop.events.KnativeDelivery;
import io.cloudevents.CloudEvent;
import io.cloudevents.http.HttpMessageFactory;
import io.smallrye.faulttolerance.api.Guard;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Delivers one event to a subscriber as Knative's Kafka Broker dispatcher does: binary mode,
 * with the subscriber's OIDC token, retried per {@link DeliverySpec} on the statuses Knative
 * retries (and on no answer; a SmallRye Fault Tolerance retry per spec), and the answer read as Knative reads it: an empty body without
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
    private final Map<DeliverySpec, Guard> guards = new ConcurrentHashMap<>();

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
        int[] attempts = {0};
        Retryable[] last = {null};
        try {
            return guard(spec).call(() -> {
                if (!running.getAsBoolean()) {
                    throw new Retryable(0, "stopped", attempts[0], false);
                }
                try {
                    return attempt(event, target, audience, ++attempts[0]);
                } catch (Retryable e) {
                    last[0] = e;
                    throw e;
                }
            }, Outcome.class);
        } catch (Retryable e) {
            // Retries exhausted, or stopped between attempts: the last answer.
            Retryable answer = last[0] == null ? e : last[0];
            return new Outcome(false, Optional.empty(), answer.status, answer.body, attempts[0]);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("delivering " + event.getId() + " to " + target + ": " + e, e);
        }
    }

    /**
     * The retry policy of a delivery spec: SmallRye Fault Tolerance's retry, on {@link Retryable}
     * failures only, waiting {@link DeliverySpec#backoff(int)} before retry n (Knative's linear or
     * exponential policy, no jitter).
     */
    private Guard guard(DeliverySpec spec) {
        return guards.computeIfAbsent(spec, s -> Guard.create().withDescription("Knative delivery " + s)
                .withRetry().maxRetries(s.retries()).delay(0, ChronoUnit.MILLIS).jitter(0, ChronoUnit.MILLIS)
                .maxDuration(1, ChronoUnit.DAYS)
                .whenException(e -> e instanceof Retryable r && r.retry)
                .withCustomBackoff().strategy(() -> failure -> s.backoff(((Retryable) failure).attempt).toMillis()).done()
                .done().build());
    }

    /** Attempt {@code n}: a delivered or refused outcome, or {@link Retryable} for what Knative retries. */
    private Outcome attempt(CloudEvent event, URI target, String audience, int n) throws Retryable {
        HttpResponse<byte[]> response;
        try {
            response = http.send(request(event, target, audience), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new Retryable(0, e.toString(), n, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Retryable(0, "interrupted", n, false);
        }
        int status = response.statusCode();
        String body = new String(response.body(), StandardCharsets.UTF_8);
        if (status >= 200 && status < 300) {
            try {
                return new Outcome(true, reply(response), status, body, n);
            } catch (RuntimeException e) {
                return new Outcome(false, Optional.empty(), status,
                        "unable to decode response: unknown encoding and non empty response (" + e.getMessage() + ")", n);
            }
        }
        if (!KnativeDelivery.retryable(status)) {
            return new Outcome(false, Optional.empty(), status, body, n);
        }
        throw new Retryable(status, body, n, true);
    }

    /** A failed attempt (no answer: status 0): retried when {@code retry}, with the backoff of retry {@code attempt}. */
    private static final class Retryable extends Exception {
        final int status;
        final String body;
        final int attempt;
        final boolean retry;

        Retryable(int status, String body, int attempt, boolean retry) {
            super(status + ": " + body, null, false, false);
            this.status = status;
            this.body = body;
            this.attempt = attempt;
            this.retry = retry;
        }
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
