package dev.greenloop.events;

/** Knative's delivery contract, as far as greenloop's own senders keep it. */
public final class KnativeDelivery {

    private KnativeDelivery() {
    }

    /**
     * Whether Knative retries a delivery answered {@code status} (0 or less: no answer, a
     * connection error or a timeout): 5xx, 404 (a pod becoming ready), 408, 409 and 429, as
     * Knative's data-plane specification and the Kafka Broker's dispatcher
     * ({@code isRetryableStatusCode}) say. Any other refusal would be refused again.
     */
    public static boolean retryable(int status) {
        return status <= 0 || status >= 500 || status == 404 || status == 408 || status == 409 || status == 429;
    }
}
