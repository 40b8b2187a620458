package dev.greenloop.ingest.limits;

import dev.greenloop.ingest.IngestConfig;
import dev.greenloop.ingest.IngestException;
import dev.greenloop.ingest.IngestException.Kind;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the request bodies one instance holds at once, in bytes. A body is read whole before a
 * resource runs, and its parsed items live until Kafka acknowledged them, so memory follows the
 * bytes in flight, not the number of requests: 128 small batches are nothing, 100 bodies of the
 * largest size are more than the heap. The front door reserves a body's declared length (or the
 * largest body the server reads, when no length is declared) before the body is read, and answers
 * 503 with Retry-After at once when the reservation does not fit; the reservation is returned when
 * the request ends, however it ends.
 */
@ApplicationScoped
public class BodyBudget {

    private final long max;
    private final int retryAfterSeconds;
    private final AtomicLong used = new AtomicLong();

    public BodyBudget(IngestConfig config, MeterRegistry registry) {
        this.max = config.limits().maxBodyBytesInFlight();
        this.retryAfterSeconds = config.limits().retryAfterSeconds();
        Gauge.builder("greenloop.ingest.body.bytes.in.flight", used, AtomicLong::get).baseUnit("bytes")
                .description("Request bodies being read, validated or waiting for Kafka").register(registry);
        Gauge.builder("greenloop.ingest.body.bytes.limit", () -> max).baseUnit("bytes")
                .description("The most request body bytes one instance holds at once").register(registry);
    }

    /**
     * Reserves {@code bytes} of the budget, or throws 503 (overloaded) when they do not fit. A
     * body larger than the whole budget is let in when nothing else is in flight, so a budget set
     * below the body limit slows such requests down instead of refusing them for ever.
     */
    public Reservation reserve(long bytes) {
        while (true) {
            long now = used.get();
            if (now + bytes > max && now > 0) {
                throw IngestException.retryLater(Kind.OVERLOADED, "this ingest instance holds " + now
                        + " bytes of request bodies and may hold at most " + max + "; a body of " + bytes
                        + " bytes does not fit now", retryAfterSeconds, null);
            }
            if (used.compareAndSet(now, now + bytes)) {
                return new Reservation(bytes);
            }
        }
    }

    /** Bytes reserved now. */
    public long used() {
        return used.get();
    }

    /** A body's share of the budget; {@link #release()} returns it (once, however often it is called). */
    public final class Reservation {

        private final AtomicLong bytes;

        private Reservation(long bytes) {
            this.bytes = new AtomicLong(bytes);
        }

        public void release() {
            long held = bytes.getAndSet(0);
            if (held > 0) {
                used.addAndGet(-held);
            }
        }
    }
}
