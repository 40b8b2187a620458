package dev.greenloop.local.eventing;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;

/**
 * A delivery spec as Knative's Kafka Broker applies it (eventing-kafka-broker 1.23,
 * {@code EgressConfigFromDelivery} and {@code MergeEgressConfig}): a spec with neither retries
 * nor a dead-letter sink is no spec; a Trigger's spec is merged field by field over its Broker's
 * (the Trigger's retry, delay and dead-letter sink where it sets them, the Broker's otherwise; the
 * backoff policy of the Trigger's spec when it has one); retries default to none and the backoff
 * delay to 1 s ({@code BROKER_DEFAULT_BACKOFF_DELAY_MS}); retry {@code n} waits
 * {@code delay * 2^n} (exponential, the default) or {@code delay * n} (linear).
 *
 * @param retries    retries after the first attempt
 * @param linear     linear backoff instead of exponential
 * @param delay      the backoff delay
 * @param deadLetter whether failed events go to a dead-letter sink (else they are dropped, logged)
 */
public record DeliverySpec(int retries, boolean linear, Duration delay, boolean deadLetter) {

    static final Duration DEFAULT_DELAY = Duration.ofSeconds(1);

    /** No spec: one attempt, no dead-letter sink. */
    public static final DeliverySpec NONE = new DeliverySpec(0, false, DEFAULT_DELAY, false);

    /** The spec of one object's {@code delivery} (missing or null: {@link #NONE}). */
    public static DeliverySpec of(JsonNode delivery) {
        if (delivery == null || delivery.isMissingNode() || delivery.isNull()
                || (!delivery.has("retry") && !delivery.has("deadLetterSink") && !delivery.has("timeout"))) {
            return null;
        }
        int retries = delivery.path("retry").asInt(0);
        Duration delay = delivery.hasNonNull("backoffDelay") ? Duration.parse(delivery.get("backoffDelay").asText()) : null;
        return new DeliverySpec(retries, "linear".equals(delivery.path("backoffPolicy").asText()),
                delay, delivery.has("deadLetterSink"));
    }

    /** A Trigger's effective spec: its own {@code delivery} merged over its Broker's. */
    public static DeliverySpec merged(JsonNode own, JsonNode broker) {
        DeliverySpec t = of(own);
        DeliverySpec b = of(broker);
        if (t == null && b == null) {
            return NONE;
        }
        if (t == null) {
            return b.withDefaults();
        }
        if (b == null) {
            return t.withDefaults();
        }
        return new DeliverySpec(t.retries() > 0 ? t.retries() : b.retries(), t.linear(),
                t.delay() != null ? t.delay() : b.delay(), t.deadLetter() || b.deadLetter()).withDefaults();
    }

    /** A Source's spec (no Broker to inherit from). */
    public static DeliverySpec source(JsonNode own) {
        DeliverySpec s = of(own);
        return s == null ? NONE : s.withDefaults();
    }

    private DeliverySpec withDefaults() {
        return delay == null ? new DeliverySpec(retries, linear, DEFAULT_DELAY, deadLetter) : this;
    }

    /** The wait before retry {@code n} (1-based). */
    public Duration backoff(int n) {
        return linear ? delay.multipliedBy(n) : delay.multipliedBy(1L << Math.min(n, 30));
    }
}
