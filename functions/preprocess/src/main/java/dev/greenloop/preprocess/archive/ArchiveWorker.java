package dev.greenloop.preprocess.archive;

import dev.greenloop.events.Events;
import dev.greenloop.events.payload.DatasetReady;
import dev.greenloop.function.SinkClient;
import dev.greenloop.preprocess.PreprocessConfig;
import dev.greenloop.preprocess.stream.StreamProcessor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the archive in the background, so a ping is answered at once and no HTTP request waits
 * for a long archive (Serving's timeouts stay at their defaults). A ping records a request in
 * MongoDB and wakes the worker; the worker takes the archive lease, archives the topic once,
 * builds each requested greenhouse's dataset and posts its {@code dataset.ready} to
 * {@code K_SINK}, once per dataset, then ends the request. While it works it renews the lease
 * every quarter of its length, so a run that dies (a crash, a pod scaled away) frees it within
 * one lease.
 *
 * <p>Nothing is lost when the worker stops part-way: the requests stay in MongoDB and the next
 * ping, or the next start of preprocess, resumes them; each step is safe to redo (see
 * {@link ArchiveService}). A request made while another pod holds the lease is taken by that
 * pod, which looks for requests again after letting the lease go; this pod looks again after one
 * lease, in case the holder died. A run that fails is retried
 * after {@code archive.retry-delay}, doubling, up to {@code archive.attempts} times; then the
 * next ping tries again.
 */
@ApplicationScoped
public class ArchiveWorker {

    private static final Logger LOG = Logger.getLogger(ArchiveWorker.class);

    private final ArchiveState state;
    private final ArchiveService service;
    private final SinkClient sink;
    private final Duration lease;
    private final Duration retryDelay;
    private final int attempts;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "archive-worker");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "archive-lease");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger failures = new AtomicInteger();
    private final Counter announced;
    private final Counter failed;
    private volatile boolean wanted;

    public ArchiveWorker(ArchiveState state, ArchiveService service, SinkClient sink, PreprocessConfig config,
                         MeterRegistry registry) {
        this.state = state;
        this.service = service;
        this.sink = sink;
        this.lease = config.archive().lease();
        this.retryDelay = config.archive().retryDelay();
        this.attempts = config.archive().attempts();
        this.announced = Counter.builder("greenloop.preprocess.datasets.announced")
                .description("dataset.ready events sent to the Broker, one per dataset").register(registry);
        this.failed = Counter.builder("greenloop.preprocess.archive.failures")
                .description("archive runs that failed (retried after archive.retry-delay)").register(registry);
    }

    /** Records a ping's request for {@code greenhouse} ({@link ArchiveState#ARCHIVE_ONLY} for none) and wakes the worker. */
    public void request(String greenhouse, String pingId, Map<String, String> extensions) {
        state.request(greenhouse, pingId, extensions);
        failures.set(0);
        wake();
    }

    /** Resumes what a previous process left unfinished, on the worker's thread (start-up does not wait for MongoDB). */
    void onStart(@Observes StartupEvent start) {
        executor.execute(() -> {
            try {
                if (!state.requests().isEmpty()) {
                    LOG.info("Archive requests left unfinished by an earlier run: resuming them");
                    wake();
                }
            } catch (RuntimeException e) {
                LOG.warnf("Cannot look for unfinished archive requests (%s); the next ping resumes them", e.getMessage());
            }
        });
    }

    /** Runs {@link #drain()} soon; a wake-up while it runs makes it look for requests once more. */
    void wake() {
        wanted = true;
        executor.execute(this::drainIfWanted);
    }

    private void drainIfWanted() {
        if (!wanted) {
            return;
        }
        wanted = false;
        try {
            drain();
            failures.set(0);
        } catch (RuntimeException e) {
            if (executor.isShutdown()) {
                LOG.infof("Archive run stopped by shutdown (%s); its requests are resumed by the next start or ping",
                        e.getMessage());
                return;
            }
            failed.increment();
            int n = failures.incrementAndGet();
            if (n < attempts) {
                Duration delay = retryDelay.multipliedBy(1L << Math.min(n - 1, 10));
                LOG.errorf("Archive run failed (attempt %d of %d), retrying in %s: %s", n, attempts, delay, e.getMessage());
                executor.schedule(this::wake, delay.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                LOG.errorf("Archive run failed %d times; the next ping tries again: %s", n, e.getMessage());
            }
        }
    }

    /**
     * Works off every request under the lease; after letting the lease go, looks once more, so a
     * request recorded while this pod held it is not left for the next ping.
     */
    private void drain() {
        while (true) {
            if (state.requests().isEmpty()) {
                return;
            }
            if (!state.tryLock(lease)) {
                // The holder takes the requests recorded meanwhile; if it died, its lease lapses:
                // look again after one lease.
                LOG.debugf("Another run holds the archive lease; looking again in %s", lease);
                executor.schedule(this::wake, lease.toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
            Map<String, Long> done = new HashMap<>();
            long renewEvery = Math.max(1, lease.toMillis() / 4);
            ScheduledFuture<?> renewal = heartbeat.scheduleAtFixedRate(this::renew, renewEvery, renewEvery, TimeUnit.MILLISECONDS);
            try {
                List<ArchiveState.Request> requests = state.requests();
                service.archiveTopic();
                for (ArchiveState.Request request : requests) {
                    if (!request.greenhouse().equals(ArchiveState.ARCHIVE_ONLY)) {
                        announce(request, service.dataset(request.greenhouse()));
                    }
                    state.requestDone(request);
                    done.put(request.greenhouse(), request.seq());
                }
            } finally {
                renewal.cancel(false);
                state.unlock();
            }
            List<ArchiveState.Request> left = state.requests();
            if (left.stream().allMatch(r -> Long.valueOf(r.seq()).equals(done.get(r.greenhouse())))) {
                return;
            }
        }
    }

    private void renew() {
        try {
            if (!state.tryLock(lease)) {
                LOG.warn("The archive lease was lost to another run; this run's steps are safe to redo");
            }
        } catch (RuntimeException e) {
            LOG.warnf("Cannot renew the archive lease: %s", e.getMessage());
        }
    }

    /** Posts the greenhouse's dataset to the Broker unless it was announced before. */
    private void announce(ArchiveState.Request request, Optional<DatasetReady> dataset) {
        if (dataset.isEmpty()) {
            LOG.infof("Greenhouse %s has no features yet: no dataset to announce", request.greenhouse());
            return;
        }
        DatasetReady ready = dataset.get();
        if (state.announced(ready.datasetId())) {
            LOG.debugf("Dataset %s of %s is unchanged and was announced before", ready.datasetId(), request.greenhouse());
            return;
        }
        io.cloudevents.CloudEvent event = Events.of(ready)
                .id(Events.derivedId("dataset.ready", ready.datasetId()))
                .source(StreamProcessor.SOURCE)
                .subject(ready.datasetId())
                .causedBy(request.pingId(), request.extensions())
                .build();
        sink.send(event);
        state.markAnnounced(ready.datasetId());
        announced.increment();
        LOG.infof("Announced dataset %s of %s: %d rows in %d file(s)", ready.datasetId(), request.greenhouse(),
                ready.rows(), ready.files().size());
    }

    /** Whether no request is waiting and no run is under way here (tests wait for this). */
    public boolean idle() {
        return !wanted && state.requests().isEmpty();
    }

    @PreDestroy
    void stop() {
        executor.shutdownNow();
        heartbeat.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
