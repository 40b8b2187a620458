package dev.greenloop.function.base;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the request bodies one instance holds at once, in bytes, for every function. A body is
 * read whole before the function runs, and what is made of it lives until the answer, so memory
 * follows the bytes in flight, not the number of requests: a hundred events of a few kilobytes
 * are nothing, a hundred bodies of the largest size are more than the heap. Before any body is
 * read, its declared {@code Content-Length} (or, when no length is declared, the most the server
 * reads: {@code quarkus.http.limits.max-body-size}) is reserved from
 * {@code greenloop.http.max-body-bytes-in-flight}. A body that does not fit is answered 503 with
 * {@code Retry-After} at once, its body unread; the reservation is returned when the request ends,
 * however it ends (answered, refused, or cut off by the client). A body larger than the whole
 * budget is let in when nothing else is held, so such a budget slows those requests down instead
 * of refusing them for ever.
 */
@ApplicationScoped
public class BodyBudget {

    /**
     * Before every handler that reads a body. Funqy's Knative events binding makes Quarkus install
     * its body handler on every route, at {@link RouteConstants#ROUTE_ORDER_BODY_HANDLER}, which
     * reads the whole body before any application route: this door comes before it.
     */
    static final int ORDER = RouteConstants.ROUTE_ORDER_BODY_HANDLER - 1;
    private static final Set<String> WITH_BODY = Set.of("POST", "PUT", "PATCH");

    private final long max;
    private final int retryAfterSeconds;
    private final long undeclaredBodyBytes;
    private final AtomicLong used = new AtomicLong();

    public BodyBudget(@ConfigProperty(name = "greenloop.http.max-body-bytes-in-flight", defaultValue = "32M") MemorySize max,
                      @ConfigProperty(name = "greenloop.http.retry-after-seconds", defaultValue = "5") int retryAfterSeconds,
                      @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K") MemorySize serverLimit,
                      MeterRegistry registry) {
        this.max = max.asLongValue();
        this.retryAfterSeconds = retryAfterSeconds;
        this.undeclaredBodyBytes = serverLimit.asLongValue();
        Gauge.builder("greenloop.http.body.bytes.in.flight", used, AtomicLong::get).baseUnit("bytes")
                .description("Request bodies being read or worked on").register(registry);
        Gauge.builder("greenloop.http.body.bytes.limit", () -> this.max).baseUnit("bytes")
                .description("The most request body bytes one instance holds at once").register(registry);
    }

    void install(@Observes Router router) {
        router.route().order(ORDER).handler(this::admit);
    }

    void admit(RoutingContext context) {
        long bytes = bodyBytes(context);
        if (bytes <= 0) {
            context.next();
            return;
        }
        long holding = tryReserve(bytes);
        if (holding >= 0) {
            context.response().setStatusCode(503).putHeader("Content-Type", Problem.MEDIA_TYPE)
                    .putHeader("Retry-After", Integer.toString(retryAfterSeconds))
                    .end(ProtocolDoor.json(Problem.of("overloaded", "Overloaded", 503, "this instance holds " + holding
                            + " bytes of request bodies and may hold at most " + max + "; a body of " + bytes
                            + " bytes does not fit now: send it again after Retry-After", context.request().path(), null)));
            return;
        }
        // Called when the response is sent or the connection fails, whichever ends the request.
        context.addEndHandler(ended -> used.addAndGet(-bytes));
        context.next();
    }

    /** Reserves {@code bytes}: -1 when done, else the bytes held that left no room. */
    private long tryReserve(long bytes) {
        while (true) {
            long now = used.get();
            if (now + bytes > max && now > 0) {
                return now;
            }
            if (used.compareAndSet(now, now + bytes)) {
                return -1;
            }
        }
    }

    /** What a request's body may take: its declared length, the server's limit when it declares none, 0 when it has none. */
    private long bodyBytes(RoutingContext context) {
        String length = context.request().getHeader("Content-Length");
        if (length != null) {
            try {
                return Math.max(0, Long.parseLong(length.strip()));
            } catch (NumberFormatException e) {
                return undeclaredBodyBytes;
            }
        }
        boolean chunked = context.request().getHeader("Transfer-Encoding") != null;
        // HTTP/2 may send a body without declaring its length; a GET or HEAD has none.
        boolean undeclaredHttp2 = context.request().version() == HttpVersion.HTTP_2
                && WITH_BODY.contains(context.request().method().name());
        return chunked || undeclaredHttp2 ? undeclaredBodyBytes : 0;
    }
}
