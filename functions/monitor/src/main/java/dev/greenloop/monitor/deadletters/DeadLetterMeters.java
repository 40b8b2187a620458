package dev.greenloop.monitor.deadletters;

import dev.greenloop.deadletters.DeadLetter;
import dev.greenloop.deadletters.DeadLetterTopic;
import dev.greenloop.monitor.MonitorConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The dead letters as meters, counted from the topic itself, so the figures survive a restart
 * or a scale to zero: {@code greenloop_monitor_dead_letters_total{status, destination}} (every
 * dead letter on the topic, by the status its destination answered and where it was going) and
 * {@code greenloop_monitor_dead_letters_unreplayed} (those the replay group has not replayed).
 * A background reader looks at the topic every {@code dead-letters.count-interval}, reading only
 * what came since its last look; a replica that starts counts the whole topic once.
 */
@ApplicationScoped
public class DeadLetterMeters {

    private static final Logger LOG = Logger.getLogger(DeadLetterMeters.class);

    private final DeadLetterTopic topic;
    private final MeterRegistry registry;
    private final MonitorConfig.DeadLetters config;
    private final Map<String, AtomicLong> byReason = new ConcurrentHashMap<>();
    private final AtomicLong unreplayed = new AtomicLong();
    private volatile Map<Integer, Long> next = Map.of();
    private volatile boolean failing;
    private ScheduledExecutorService reader;

    public DeadLetterMeters(DeadLetterTopic topic, MeterRegistry registry, MonitorConfig config) {
        this.topic = topic;
        this.registry = registry;
        this.config = config.deadLetters();
    }

    void start(@Observes StartupEvent started) {
        long every = config.countInterval().toMillis();
        if (every <= 0) {
            LOG.info("Dead letters are not counted (dead-letters.count-interval is 0)");
            return;
        }
        reader = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dead-letter-meters");
            t.setDaemon(true);
            return t;
        });
        reader.scheduleWithFixedDelay(this::count, 0, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent stopped) {
        if (reader != null) {
            reader.shutdownNow();
        }
    }

    /** Reads what came since the last look and counts it; a failure is logged once until the next success. */
    void count() {
        try {
            DeadLetterTopic.Since since = topic.since(next);
            for (DeadLetter letter : since.letters()) {
                counter(letter.code(), letter.destination()).incrementAndGet();
            }
            unreplayed.set(since.unreplayed());
            if (next.isEmpty()) {
                // Registered once the topic was counted, so a restart never reads as a jump from 0.
                Gauge.builder("greenloop.monitor.dead.letters.unreplayed", unreplayed, AtomicLong::get)
                        .description("Dead letters the replay group has not replayed").register(registry);
            }
            next = since.next();
            if (failing) {
                LOG.infof("Counting dead letters on %s again", topic.topic());
                failing = false;
            }
        } catch (DeadLetterTopic.NotFound e) {
            LOG.debugf("No dead letters to count: %s", e.getMessage());
        } catch (RuntimeException e) {
            if (!failing) {
                LOG.warnf("Cannot count the dead letters on %s (will try again every %s): %s", topic.topic(),
                        config.countInterval(), e.getMessage());
                failing = true;
            }
        }
    }

    private AtomicLong counter(String status, String destination) {
        return byReason.computeIfAbsent(status + " " + destination, k -> {
            AtomicLong n = new AtomicLong();
            FunctionCounter.builder("greenloop.monitor.dead.letters", n, AtomicLong::get)
                    .description("Dead letters on the topic, by the status the destination answered and the destination")
                    .tag("status", status).tag("destination", destination).register(registry);
            return n;
        });
    }
}
