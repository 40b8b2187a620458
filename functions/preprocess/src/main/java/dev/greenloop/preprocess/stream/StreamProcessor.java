package dev.greenloop.preprocess.stream;

import dev.greenloop.events.Events;
import dev.greenloop.events.Extensions;
import dev.greenloop.events.payload.FeatureWindow;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.features.FeatureCalculator;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.features.Lateness;
import dev.greenloop.features.RawReading;
import dev.greenloop.features.Signal;
import dev.greenloop.onlinestore.OnlineVector;
import dev.greenloop.preprocess.PreprocessConfig;
import dev.greenloop.function.SinkClient;
import dev.greenloop.preprocess.store.LookbackCache;
import dev.greenloop.preprocess.store.WindowStore;
import dev.greenloop.preprocess.store.ZoneState;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The streaming path for one readings event: store the readings that are not late in their
 * windows, raise the zone's watermark, and emit every window that closes, computed by
 * {@link FeatureCalculator} from the stored readings, to the sink. Each step is idempotent, in
 * this order, so a redelivered event changes nothing and a failure part-way is completed by the
 * redelivery. Events of one zone must come one at a time, in partition order (KafkaSource with
 * ordered delivery does that). Events marked {@code backfill} (history a device imported on
 * purpose) are passed over: they reach the datasets through the archive, not online features.
 */
@ApplicationScoped
public class StreamProcessor {

    public static final URI SOURCE = URI.create("/greenloop/preprocess");
    private static final DateTimeFormatter WINDOW_ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm").withZone(ZoneOffset.UTC);

    private final WindowStore store;
    private final SinkClient sink;
    private final FeatureSpec spec = FeatureSpec.CURRENT;
    private final FeatureCalculator calculator = new FeatureCalculator(spec);
    private final Lateness lateness;
    private final int maxWindows;
    private final LookbackCache cache;
    private final MeterRegistry registry;
    private final Counter lateReadings;
    private final Counter windowsSkipped;
    private final Counter readingsStored;
    private final Counter backfillPassed;

    public StreamProcessor(WindowStore store, SinkClient sink, PreprocessConfig config, MeterRegistry registry) {
        this.store = store;
        this.sink = sink;
        this.lateness = new Lateness(spec, config.stream().allowedLateness());
        this.maxWindows = config.stream().maxWindowsPerEvent();
        this.cache = new LookbackCache(config.stream().lookbackCacheZones());
        this.registry = registry;
        this.lateReadings = Counter.builder("greenloop.preprocess.readings.late")
                .description("Readings that arrived after their window closed (archived, not in features)").register(registry);
        this.windowsSkipped = Counter.builder("greenloop.preprocess.windows.skipped")
                .description("Closed windows not emitted: no data, or beyond the per-event cap after a gap").register(registry);
        this.readingsStored = Counter.builder("greenloop.preprocess.readings.stored")
                .description("Readings stored in their windows").register(registry);
        this.backfillPassed = Counter.builder("greenloop.preprocess.readings.backfill")
                .description("Readings sent in backfill mode: left to the archive, kept out of online features").register(registry);
    }

    /** Feature windows emitted, per zone: {@code greenloop_preprocess_windows_closed_total{greenhouse, zone}}. */
    private Counter windowsClosed(String greenhouse, String zone) {
        return Counter.builder("greenloop.preprocess.windows.closed").description("Feature windows emitted")
                .tag("greenhouse", greenhouse).tag("zone", zone).register(registry);
    }

    public Lateness lateness() {
        return lateness;
    }

    /**
     * Processes one readings event.
     *
     * @param eventId    the readings event's id (lineage)
     * @param extensions its extensions ({@code traceparent} is carried to what it causes)
     * @return the feature window events emitted, in window order
     */
    public List<CloudEvent> process(String eventId, Map<String, String> extensions, ReadingsBatch batch) {
        if (Extensions.isBackfill(extensions::get)) {
            // History imported on purpose: its windows closed long ago, and predictions on it would be
            // acted on. The archive counts every reading of it in the datasets.
            backfillPassed.increment(batch.size());
            return List.of();
        }
        String zoneKey = WindowStore.zoneKey(batch.greenhouseId(), batch.zoneId());
        ZoneState state = store.state(zoneKey);
        LookbackCache.Session cached = cache.open(zoneKey, state);
        List<RawReading> raw = RawReading.allOf(batch);
        List<RawReading> counted = new ArrayList<>(raw.size());
        long watermark = state.watermark();
        for (RawReading r : raw) {
            if (lateness.isLate(r.epochMillis(), state.watermark())) {
                lateReadings.increment();
            } else {
                counted.add(r);
            }
            watermark = Math.max(watermark, r.epochMillis());
        }
        store.store(batch.greenhouseId(), batch.zoneId(), counted, eventId);
        readingsStored.increment(counted.size());

        long lastClosed = lateness.lastClosedWindow(watermark);
        if (lastClosed == Long.MIN_VALUE || lastClosed <= state.lastEmitted()) {
            if (watermark > state.watermark()) {
                store.advance(zoneKey, watermark, state.lastEmitted());
                cached.commit(new ZoneState(watermark, state.lastEmitted()), keepFrom(state.lastEmitted()));
            }
            return List.of();
        }
        long w = spec.windowMillis();
        long first = state.lastEmitted() == Long.MIN_VALUE ? lastClosed - (maxWindows - 1) * w : state.lastEmitted() + w;
        long capped = Math.max(first, lastClosed - (maxWindows - 1) * w);
        if (capped > first) {
            windowsSkipped.increment((capped - first) / w);
        }
        List<CloudEvent> emitted = new ArrayList<>();
        FeatureWindow latest = null;
        long lookback = spec.lookback().toMillis();
        for (long start = capped; start <= lastClosed; start += w) {
            WindowStore.Lookback data = store.lookback(zoneKey, start + w - lookback, start, cached);
            double[] vector = calculator.compute(start, data.readings());
            if (allMissing(vector)) {
                windowsSkipped.increment();
                continue;
            }
            FeatureWindow window = window(batch.greenhouseId(), batch.zoneId(), start, vector, data.windowEventIds());
            CloudEvent event = windowEvent(window, eventId, extensions);
            sink.send(event);
            windowsClosed(batch.greenhouseId(), batch.zoneId()).increment();
            emitted.add(event);
            latest = window;
        }
        // Only now: a failure above leaves the windows unmarked, and the redelivery emits them again
        // with the same ids.
        store.advance(zoneKey, watermark, lastClosed);
        // The zone now reads as this instance left it; the next window's lookback starts here.
        cached.commit(new ZoneState(Math.max(watermark, state.watermark()), Math.max(lastClosed, state.lastEmitted())),
                keepFrom(lastClosed));
        if (latest != null) {
            store.storeOnline(new OnlineVector(latest.greenhouseId(), latest.zoneId(), latest.windowId(),
                    latest.windowStart(), latest.windowEnd(), latest.featureSpecVersion(), latest.featureNames(),
                    latest.values()));
        }
        return emitted;
    }

    /** The first window the lookback of the window after {@code lastEmitted} needs. */
    private long keepFrom(long lastEmitted) {
        return lastEmitted == Long.MIN_VALUE ? Long.MIN_VALUE : lastEmitted + 2 * spec.windowMillis() - spec.lookback().toMillis();
    }

    /** Stable id of a zone's window: {@code <greenhouse>:<zone>:<yyyyMMddTHHmm>}. */
    public static String windowId(String greenhouseId, String zoneId, long windowStart) {
        return greenhouseId + ":" + zoneId + ":" + WINDOW_ID.format(Instant.ofEpochMilli(windowStart));
    }

    private FeatureWindow window(String greenhouseId, String zoneId, long start, double[] vector, List<String> sources) {
        List<Double> values = new ArrayList<>(vector.length);
        for (double v : vector) {
            values.add(Double.isNaN(v) ? null : v);
        }
        return new FeatureWindow(windowId(greenhouseId, zoneId, start), greenhouseId, zoneId,
                Instant.ofEpochMilli(start), Instant.ofEpochMilli(start + spec.windowMillis()), spec.version(),
                spec.names(), values, sources);
    }

    private CloudEvent windowEvent(FeatureWindow window, String causeId, Map<String, String> causeExtensions) {
        long start = window.windowStart().toEpochMilli();
        return Events.of(window)
                .id(Events.derivedId("features.window", window.greenhouseId(), window.zoneId(), Long.toString(start)))
                .source(SOURCE)
                .subject(window.windowId())
                .time(Instant.ofEpochMilli(start + spec.windowMillis()).atOffset(ZoneOffset.UTC))
                .causedBy(causeId, causeExtensions)
                .build();
    }

    private boolean allMissing(double[] vector) {
        int offset = spec.missingIndex(Signal.values()[0]);
        return Arrays.stream(vector, offset, offset + Signal.values().length).allMatch(flag -> flag == 1);
    }
}
