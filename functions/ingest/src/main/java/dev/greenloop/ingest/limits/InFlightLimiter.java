package dev.greenloop.ingest.limits;

import dev.greenloop.ingest.IngestConfig;
import dev.greenloop.ingest.IngestException;
import dev.greenloop.ingest.IngestException.Kind;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.Semaphore;

/**
 * Bounds the requests one instance works on at once (parsed bodies and records waiting for Kafka
 * take memory): beyond the bound a request is answered 503 at once instead of queueing until the
 * instance runs out of memory. Knative's concurrency target spreads load before that happens.
 */
@ApplicationScoped
public class InFlightLimiter {

    private final Semaphore permits;
    private final int max;
    private final int retryAfterSeconds;

    public InFlightLimiter(IngestConfig config, MeterRegistry registry) {
        this.max = config.limits().maxInFlightRequests();
        this.permits = new Semaphore(max);
        this.retryAfterSeconds = config.limits().retryAfterSeconds();
        Gauge.builder("greenloop.ingest.requests.in.flight", permits, p -> max - p.availablePermits())
                .description("Requests being validated or waiting for Kafka").register(registry);
    }

    /** Takes a slot; release it with {@link #release()} when the request is answered. */
    public void acquire() {
        if (!permits.tryAcquire()) {
            throw IngestException.retryLater(Kind.OVERLOADED, "this ingest instance is working on " + max
                    + " requests already", retryAfterSeconds, null);
        }
    }

    public void release() {
        permits.release();
    }
}
