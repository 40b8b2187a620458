package dev.greenloop.infer;

import dev.greenloop.function.SinkClient;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends the challenger's predictions to {@code K_SINK} (the Broker) as {@code prediction} events
 * with {@code shadow: true}, off the request path: one sender thread and a bounded queue. A
 * shadow prediction that cannot be sent (queue full, Broker down) is dropped and counted; it
 * never delays or fails the champion's answer.
 */
@ApplicationScoped
public class ShadowSender {

    private static final Logger LOG = Logger.getLogger(ShadowSender.class);

    private final SinkClient sink;
    private final boolean configured;
    private final MeterRegistry metrics;
    private final ThreadPoolExecutor executor;
    private final AtomicBoolean warned = new AtomicBoolean();

    public ShadowSender(InferConfig config, MeterRegistry metrics) {
        this.configured = config.sinkUrl().filter(s -> !s.isBlank()).isPresent();
        this.sink = configured ? new SinkClient(config.sinkUrl(), 3, Duration.ofMillis(200), Duration.ofSeconds(5)) : null;
        this.metrics = metrics;
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(512), r -> {
            Thread t = new Thread(r, "infer-shadow-sender");
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    }

    public void send(CloudEvent event) {
        if (!configured) {
            count("dropped", "no-sink");
            if (warned.compareAndSet(false, true)) {
                LOG.warn("A challenger is loaded but no sink is configured (K_SINK): shadow predictions are dropped");
            }
            return;
        }
        try {
            executor.execute(() -> {
                try {
                    sink.send(event);
                    count("sent", "ok");
                } catch (RuntimeException e) {
                    count("dropped", "sink-failed");
                    LOG.warnf("Shadow prediction %s dropped: %s", event.getId(), e.getMessage());
                }
            });
        } catch (RejectedExecutionException e) {
            count("dropped", "queue-full");
        }
    }

    /** The challenger could not score a window the champion scored. */
    public void skipped(String why) {
        count("dropped", "challenger-refused");
        LOG.debugf("No shadow prediction: %s", why);
    }

    private void count(String outcome, String reason) {
        metrics.counter("greenloop.infer.shadow", "outcome", outcome, "reason", reason).increment();
    }

    @PreDestroy
    void close() throws InterruptedException {
        executor.shutdown();
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }
}
