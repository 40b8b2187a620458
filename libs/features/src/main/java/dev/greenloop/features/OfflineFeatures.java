package dev.greenloop.features;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The offline side: a zone's readings as Kafka holds them become a feature table, with the same
 * {@link FeatureCalculator} and {@link Lateness} rules as the streaming path.
 */
public final class OfflineFeatures {

    private final FeatureCalculator calculator;
    private final Lateness lateness;

    public OfflineFeatures(FeatureCalculator calculator, Lateness lateness) {
        this.calculator = calculator;
        this.lateness = lateness;
    }

    /** One window's features and targets (NaN where missing). */
    public record Row(long windowStart, double[] features, double[] targets) {
    }

    /**
     * The readings that count, in Kafka order: each inner list is one event of the zone, in the
     * order the zone's partition holds them; readings that were late on arrival are dropped.
     */
    public List<RawReading> counted(List<List<RawReading>> eventsInOrder) {
        List<RawReading> kept = new ArrayList<>();
        long watermark = Long.MIN_VALUE;
        for (List<RawReading> event : eventsInOrder) {
            long before = watermark;
            for (RawReading r : event) {
                if (!lateness.isLate(r.epochMillis(), before)) {
                    kept.add(r);
                }
                watermark = Math.max(watermark, r.epochMillis());
            }
        }
        return kept;
    }

    /**
     * The readings that count when some of the zone's events were sent in backfill mode (history
     * imported on purpose, which the streaming path never sees): every backfilled reading counts,
     * whatever its time, and none of them moves the live watermark, so the live events are judged
     * exactly as {@link #counted(List)} judges them. Backfilled readings come first: where a live
     * reading has the same signal and time, the live one (the one online features used) wins.
     */
    public List<RawReading> counted(List<List<RawReading>> liveEventsInOrder, List<List<RawReading>> backfillEvents) {
        List<RawReading> kept = new ArrayList<>();
        backfillEvents.forEach(kept::addAll);
        kept.addAll(counted(liveEventsInOrder));
        return kept;
    }

    /**
     * Rows for the windows starting in {@code [fromWindow, toWindow)} that have any data (at least
     * one signal not missing), with targets {@code horizonMinutes} ahead.
     *
     * @param counted the zone's counted readings in Kafka order, covering the lookback before
     *                {@code fromWindow} and the horizon after {@code toWindow}
     */
    public List<Row> table(List<RawReading> counted, long fromWindow, long toWindow, int horizonMinutes) {
        FeatureSpec spec = calculator.spec();
        // Stable by time: equal timestamps keep Kafka order, which decides duplicates.
        List<RawReading> byTime = new ArrayList<>(counted);
        byTime.sort(Comparator.comparingLong(RawReading::epochMillis));
        long[] times = byTime.stream().mapToLong(RawReading::epochMillis).toArray();
        long windowMs = spec.windowMillis();
        long lookbackMs = spec.lookback().toMillis();
        List<Row> rows = new ArrayList<>();
        for (long start = fromWindow; start < toWindow; start += windowMs) {
            long end = start + windowMs;
            double[] features = calculator.compute(start, byTime.subList(lowerBound(times, end - lookbackMs),
                    lowerBound(times, end)));
            boolean anyData = false;
            for (Signal s : Signal.values()) {
                anyData |= features[spec.missingIndex(s)] == 0;
            }
            if (!anyData) {
                continue;
            }
            long targetEnd = start + horizonMinutes * 60_000L + windowMs;
            double[] targets = calculator.targets(start, horizonMinutes,
                    byTime.subList(lowerBound(times, targetEnd - lookbackMs), lowerBound(times, targetEnd)));
            rows.add(new Row(start, features, targets));
        }
        return rows;
    }

    /** First index whose time is not before {@code t}. */
    private static int lowerBound(long[] times, long t) {
        int lo = 0;
        int hi = times.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (times[mid] < t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
