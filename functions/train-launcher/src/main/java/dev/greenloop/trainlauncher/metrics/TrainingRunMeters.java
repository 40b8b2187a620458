package dev.greenloop.trainlauncher.metrics;

import dev.greenloop.trainlauncher.TrainLauncherException;
import dev.greenloop.trainlauncher.store.TrainingRuns;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code greenloop_train_launcher_last_run_seconds{outcome}}: when the last training run with
 * each outcome ended (Unix time), read from the training-run records in MongoDB. train-launcher
 * scales to zero between runs, and a Job that fails wakes a fresh replica whose counters start
 * again; a time read from the records is the same whichever replica exports it, so "a run failed
 * in the last 6 hours" holds across scale to zero. Read at most every 30 s, on scrape.
 */
@ApplicationScoped
public class TrainingRunMeters {

    static final List<String> OUTCOMES = List.of("promoted", "challenger", "completed", "failed");
    private static final Duration FRESH = Duration.ofSeconds(30);

    private final TrainingRuns runs;
    private final Map<String, Double> last = new ConcurrentHashMap<>();
    private volatile long readAt = Long.MIN_VALUE;

    public TrainingRunMeters(TrainingRuns runs) {
        this.runs = runs;
    }

    void register(@Observes StartupEvent started, MeterRegistry registry) {
        for (String outcome : OUTCOMES) {
            Gauge.builder("greenloop.train_launcher.last.run", this, m -> m.lastEnded(outcome)).baseUnit("seconds")
                    .description("When the last training run with this outcome ended (Unix time), NaN when none has")
                    .tag("outcome", outcome).register(registry);
        }
    }

    double lastEnded(String outcome) {
        long now = System.nanoTime();
        if (readAt == Long.MIN_VALUE || now - readAt > FRESH.toNanos()) {
            try {
                for (String o : OUTCOMES) {
                    last.put(o, runs.lastEnded(o).map(Instant::getEpochSecond).map(Long::doubleValue).orElse(Double.NaN));
                }
                readAt = now;
            } catch (TrainLauncherException e) {
                return last.getOrDefault(outcome, Double.NaN);
            }
        }
        return last.getOrDefault(outcome, Double.NaN);
    }
}
