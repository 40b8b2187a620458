package dev.greenloop.control;

import dev.greenloop.control.store.ControlStore;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;

/**
 * Counts published commands past their expiry that no gateway acknowledged, for the
 * {@code greenloop.control.commands.unacknowledged} gauge, and says so in the log when the count
 * grows: a gateway that stopped acknowledging may have stopped acting.
 */
@ApplicationScoped
public class UnacknowledgedReport {

    private static final Logger LOG = Logger.getLogger(UnacknowledgedReport.class);

    private final ControlStore store;
    private final ControlMetrics metrics;
    private final java.time.Clock clock;
    private long last;

    public UnacknowledgedReport(ControlStore store, ControlMetrics metrics, java.time.Clock clock) {
        this.store = store;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Scheduled(every = "${greenloop.control.unacknowledged-every:60s}", delayed = "10s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        try {
            long count = store.countUnacknowledged(Instant.now(clock));
            metrics.unacknowledged(count);
            if (count > last) {
                LOG.warnf("%d command(s) past expiry without an acknowledgement (GET /v1/commands/unacknowledged)", count);
            }
            last = count;
        } catch (ControlException e) {
            LOG.warnf("Could not count unacknowledged commands: %s", e.getMessage());
        }
    }
}
