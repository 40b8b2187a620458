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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
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
 * MongoDB (with a ticket) and wakes the worker. The worker passes over the readings topic under
 * the topic lease, once for every request made before the pass started; then, under each
 * greenhouse's own lease, builds that greenhouse's features and dataset and posts its
 * {@code dataset.ready} to {@code K_SINK}, once per dataset, and ends the request. Pods take
 * different greenhouses, so the builds of a farm run in parallel, and beside the next topic
 * pass. While it holds a lease it renews it every quarter of its length, so a run that dies (a
 * crash, a pod scaled away) frees it within one lease.
 *
 * <p>Nothing is lost when the worker stops part-way: the requests stay in MongoDB and the next
 * ping, or the next start of preprocess, resumes them; each step is safe to redo (see
 * {@link ArchiveService}). A request whose lease another pod holds is taken by that pod; this
 * pod looks again after an eighth of a lease, for builds the holder's pass made ready or in case
 * the holder died. A run that fails is retried after
 * {@code archive.retry-delay}, doubling, up to {@code archive.attempts} times; then the next
 * ping tries again.
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
    private final Duration minPassInterval;
    private final java.time.Clock clock;
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
    /** The lease the worker holds now, renewed by the heartbeat (one at a time). */
    private volatile ScheduledFuture<?> renewal;
    /** Where this pod starts in the list of ready requests, so pods woken together take different greenhouses first. */
    private final int instanceOffset = new java.security.SecureRandom().nextInt(1 << 20);

    @jakarta.inject.Inject
    public ArchiveWorker(ArchiveState state, ArchiveService service, SinkClient sink, PreprocessConfig config,
                         MeterRegistry registry, java.time.Clock clock) {
        this(state, service, sink, config, registry, clock, config.archive().minPassInterval());
    }

    /** As a pod with {@code minPassInterval} instead of {@code archive.min-pass-interval}. */
    ArchiveWorker(ArchiveState state, ArchiveService service, SinkClient sink, PreprocessConfig config,
                  MeterRegistry registry, java.time.Clock clock, Duration minPassInterval) {
        this.state = state;
        this.service = service;
        this.sink = sink;
        this.lease = config.archive().lease();
        this.retryDelay = config.archive().retryDelay();
        this.attempts = config.archive().attempts();
        this.minPassInterval = minPassInterval;
        this.clock = clock;
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
     * Works off the requests. First, when a request came after the last complete pass started, a
     * pass over the topic under the topic lease (one pod at a time; it covers every request made
     * before it started), unless the last pass started less than {@code archive.min-pass-interval}
     * ago (then the next pass is scheduled). Then, for each request a complete pass covers, its
     * greenhouse's build under that greenhouse's lease: pods take different greenhouses, so a
     * farm's builds run in parallel, beside the next topic pass. Each pod starts at a different
     * place in the list. Loops until no request is left that this pod could take; what another
     * pod holds is looked at again after an eighth of a lease.
     */
    private void drain() {
        while (true) {
            List<ArchiveState.Request> requests = state.requests();
            if (requests.isEmpty()) {
                return;
            }
            boolean blocked = false;
            ArchiveState.TopicPasses passes = state.topicPasses();
            long covered = passes.archivedThrough();
            if (requests.stream().anyMatch(r -> r.ticket() > covered)) {
                Instant now = clock.instant();
                Optional<Instant> next = passes.lastStartedAt().map(last -> last.plus(minPassInterval));
                if (next.isPresent() && next.get().isAfter(now)) {
                    // Shares the next pass with the pings that come meanwhile; builds what is ready now.
                    long wait = Math.max(100, Duration.between(now, next.get()).toMillis());
                    LOG.debugf("Next pass over the topic in %d ms (archive.min-pass-interval)", wait);
                    executor.schedule(this::wake, wait, TimeUnit.MILLISECONDS);
                } else if (holding(ArchiveState.TOPIC_LEASE)) {
                    try {
                        long covers = state.lastTicket();
                        service.archiveTopic();
                        state.topicArchived(covers, now);
                    } finally {
                        release(ArchiveState.TOPIC_LEASE);
                    }
                    // The pass may have covered more, and requests may have come: look again.
                    continue;
                } else {
                    // The holder's pass covers them, or its lease lapses if it died.
                    blocked = true;
                }
            }
            List<ArchiveState.Request> ready = new ArrayList<>(requests.stream().filter(r -> r.ticket() <= covered).toList());
            Collections.rotate(ready, ready.isEmpty() ? 0 : Math.floorMod(instanceOffset, ready.size()));
            int built = 0;
            for (ArchiveState.Request request : ready) {
                String name = ArchiveState.datasetLease(request.greenhouse());
                if (!holding(name)) {
                    blocked = true;
                    continue;
                }
                try {
                    if (!request.greenhouse().equals(ArchiveState.ARCHIVE_ONLY)) {
                        announce(request, service.dataset(request.greenhouse()));
                    }
                    state.requestDone(request);
                    built++;
                } finally {
                    release(name);
                }
            }
            if (built == 0) {
                // Nothing this pod can do now: what is left waits for a pass (scheduled above, or
                // another pod's), or for a lease another pod holds.
                if (blocked) {
                    lookAgain();
                }
                return;
            }
        }
    }

    /**
     * Looks at the requests again after an eighth of a lease: another pod holds what is left (its
     * topic pass ends, and the builds it makes ready are shared out), or died (its lease lapses).
     */
    private void lookAgain() {
        long relook = Math.max(100, lease.toMillis() / 8);
        LOG.debugf("Other runs hold the leases of the archive requests left; looking again in %d ms", relook);
        executor.schedule(this::wake, relook, TimeUnit.MILLISECONDS);
    }

    /** Takes the lease {@code name} and renews it every quarter of its length until {@link #release}; whether it was free. */
    private boolean holding(String name) {
        if (!state.tryLock(name, lease)) {
            return false;
        }
        long renewEvery = Math.max(1, lease.toMillis() / 4);
        renewal = heartbeat.scheduleAtFixedRate(() -> renew(name), renewEvery, renewEvery, TimeUnit.MILLISECONDS);
        return true;
    }

    private void release(String name) {
        ScheduledFuture<?> r = renewal;
        if (r != null) {
            r.cancel(false);
        }
        state.unlock(name);
    }

    private void renew(String name) {
        try {
            if (!state.tryLock(name, lease)) {
                LOG.warnf("The lease %s was lost to another run; this run's steps are safe to redo", name);
            }
        } catch (RuntimeException e) {
            LOG.warnf("Cannot renew the lease %s: %s", name, e.getMessage());
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
