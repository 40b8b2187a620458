package dev.greenloop.features;

import java.util.Arrays;
import java.util.Collection;

/**
 * Computes the feature vector of one window from the readings around it. This is the only
 * feature code: preprocess calls it when a window closes, the dataset builder for every window of
 * a day, so online and offline features cannot drift apart.
 *
 * <p>Only readings in {@code [windowEnd - lookback, windowEnd)} are looked at; others are ignored,
 * which is what makes the result point-in-time correct. Readings with the same signal and
 * timestamp are one reading: the one that comes last in the input wins. Stateless and
 * thread-safe.
 */
public final class FeatureCalculator {

    private final FeatureSpec spec;

    public FeatureCalculator(FeatureSpec spec) {
        this.spec = spec;
    }

    public FeatureSpec spec() {
        return spec;
    }

    /**
     * The feature vector of the window starting at {@code windowStart} (epoch millis, aligned),
     * NaN where a feature is missing.
     */
    public double[] compute(long windowStart, Collection<RawReading> readings) {
        long windowMs = spec.windowMillis();
        requireAligned(windowStart);
        Series series = Series.build(spec, windowStart, readings);
        int current = series.windows - 1;
        double[] out = new double[spec.size()];
        int i = 0;
        Signal[] signals = Signal.values();
        for (Signal s : signals) {
            WindowStats w = series.filled(s, current);
            out[i++] = w.last;
            out[i++] = w.mean;
            out[i++] = w.min;
            out[i++] = w.max;
        }
        for (Signal s : signals) {
            for (int lag : spec.lagMinutes()) {
                out[i++] = series.filled(s, current - (int) (lag * 60_000L / windowMs)).mean;
            }
        }
        for (Signal s : signals) {
            for (int k : spec.rollingMinutes()) {
                int windows = (int) (k * 60_000L / windowMs);
                double sum = 0;
                int n = 0;
                for (int w = current - windows + 1; w <= current; w++) {
                    double mean = series.filled(s, w).mean;
                    if (!Double.isNaN(mean)) {
                        sum += mean;
                        n++;
                    }
                }
                out[i++] = n == 0 ? Double.NaN : sum / n;
            }
        }
        double t = series.filled(Signal.AIR_TEMPERATURE, current).mean;
        double rh = series.filled(Signal.RELATIVE_HUMIDITY, current).mean;
        out[i++] = Psychrometrics.vapourPressureDeficitKpa(t, rh);
        out[i++] = Psychrometrics.dewPointC(t, rh);
        out[i++] = Psychrometrics.absoluteHumidityGm3(t, rh);
        long windowEnd = windowStart + windowMs;
        double dayFraction = Math.floorMod(windowEnd, 86_400_000L) / 86_400_000.0;
        out[i++] = Math.sin(2 * Math.PI * dayFraction);
        out[i++] = Math.cos(2 * Math.PI * dayFraction);
        for (Signal s : signals) {
            out[i++] = Double.isNaN(series.filled(s, current).mean) ? 1 : 0;
        }
        for (Signal s : signals) {
            out[i++] = series.faultInCurrent[s.ordinal()] ? 1 : 0;
        }
        for (Signal s : signals) {
            double now = series.filled(s, current).mean;
            for (int k : spec.changeMinutes()) {
                out[i++] = now - series.filled(s, current - (int) (k * 60_000L / windowMs)).mean;
            }
        }
        if (spec.exchangeFeatures()) {
            i = exchange(series, current, t, rh, out, i);
        }
        return out;
    }

    /** The physically derived features of V2, in {@link FeatureSpec#EXCHANGE_FEATURES} order. */
    private static int exchange(Series series, int current, double t, double rh, double[] out, int i) {
        double outside = series.filled(Signal.OUTSIDE_TEMPERATURE, current).mean;
        double outsideRh = series.filled(Signal.OUTSIDE_HUMIDITY, current).mean;
        double pipe = series.filled(Signal.PIPE_TEMPERATURE, current).mean;
        double vent = series.filled(Signal.VENT_OPENING, current).mean / 100;
        double screen = series.filled(Signal.SCREEN_POSITION, current).mean / 100;
        double radiation = series.filled(Signal.GLOBAL_RADIATION, current).mean;
        double outsideAbsolute = Psychrometrics.absoluteHumidityGm3(outside, outsideRh);
        out[i++] = t - outside;
        out[i++] = pipe - t;
        out[i++] = vent * (t - outside);
        out[i++] = outsideAbsolute;
        out[i++] = vent * (Psychrometrics.absoluteHumidityGm3(t, rh) - outsideAbsolute);
        out[i++] = radiation * (1 - screen);
        return i;
    }

    /**
     * Targets of the window starting at {@code windowStart}: for each target signal, the mean of
     * the good readings of the window starting {@code horizonMinutes} later; NaN when it has none.
     * {@code readings} must cover that later window's lookback.
     */
    public double[] targets(long windowStart, int horizonMinutes, Collection<RawReading> readings) {
        requireAligned(windowStart);
        long target = windowStart + horizonMinutes * 60_000L;
        Series series = Series.build(spec, spec.windowStart(target), readings);
        double[] out = new double[spec.targetSignals().size()];
        for (int i = 0; i < out.length; i++) {
            WindowStats w = series.stats[spec.targetSignals().get(i).ordinal()][series.windows - 1];
            out[i] = w == null ? Double.NaN : w.mean;
        }
        return out;
    }

    private void requireAligned(long windowStart) {
        if (spec.windowStart(windowStart) != windowStart) {
            throw new IllegalArgumentException("window start " + windowStart + " is not aligned to " + spec.window());
        }
    }

    /** Statistics of one signal in one window. */
    static final class WindowStats {
        static final WindowStats EMPTY = new WindowStats();

        int count;
        long lastTs = Long.MIN_VALUE;
        double last = Double.NaN;
        double sum;
        double mean = Double.NaN;
        double min = Double.NaN;
        double max = Double.NaN;

        void add(long ts, double v) {
            if (count == 0) {
                min = v;
                max = v;
            } else {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            count++;
            sum += v;
            mean = sum / count;
            if (ts >= lastTs) {
                lastTs = ts;
                last = v;
            }
        }

        static WindowStats constant(double v) {
            WindowStats w = new WindowStats();
            w.last = v;
            w.mean = v;
            w.min = v;
            w.max = v;
            return w;
        }
    }

    /** The readings of a lookback, by signal and window, with faults marked. */
    static final class Series {
        private static final java.util.Comparator<RawReading> BY_TIME = java.util.Comparator.comparingLong(RawReading::epochMillis);
        final FeatureSpec spec;
        final int windows;
        final WindowStats[][] stats;
        final boolean[] faultInCurrent = new boolean[Signal.values().length];

        private Series(FeatureSpec spec, int windows) {
            this.spec = spec;
            this.windows = windows;
            this.stats = new WindowStats[Signal.values().length][windows];
        }

        static Series build(FeatureSpec spec, long windowStart, Collection<RawReading> readings) {
            long windowMs = spec.windowMillis();
            int windows = spec.lookbackWindows();
            long end = windowStart + windowMs;
            long from = end - windows * windowMs;
            Series series = new Series(spec, windows);
            // Bucket by signal, then sort each by time: the input is mostly in time order already,
            // which TimSort handles in linear time. Stable, so for equal times the input order
            // survives, and the last one wins below.
            Signal[] signals = Signal.values();
            int[] counts = new int[signals.length];
            for (RawReading r : readings) {
                if (r.epochMillis() >= from && r.epochMillis() < end) {
                    counts[r.signal().ordinal()]++;
                }
            }
            RawReading[][] bySignal = new RawReading[signals.length][];
            for (int s = 0; s < signals.length; s++) {
                bySignal[s] = counts[s] == 0 ? null : new RawReading[counts[s]];
                counts[s] = 0;
            }
            for (RawReading r : readings) {
                if (r.epochMillis() >= from && r.epochMillis() < end) {
                    int s = r.signal().ordinal();
                    bySignal[s][counts[s]++] = r;
                }
            }
            for (Signal signal : signals) {
                RawReading[] list = bySignal[signal.ordinal()];
                if (list == null) {
                    continue;
                }
                Arrays.sort(list, BY_TIME);
                RawReading[] sorted = new RawReading[list.length];
                int n = 0;
                for (int i = 0; i < list.length; i++) {
                    if (i + 1 < list.length && list[i].epochMillis() == list[i + 1].epochMillis()) {
                        continue;
                    }
                    sorted[n++] = list[i];
                }
                series.add(signal, sorted, 0, n, from, end - windowMs);
            }
            return series;
        }

        private void add(Signal signal, RawReading[] rs, int start, int stop, long from, long currentStart) {
            long windowMs = spec.windowMillis();
            long spikeHorizon = spec.spikeHorizon().toMillis();
            double maxChange = signal.maxChangePerMinute();
            WindowStats[] row = stats[signal.ordinal()];
            boolean[] good = new boolean[stop - start];
            int prevGood = -1;
            for (int i = start; i < stop; i++) {
                RawReading r = rs[i];
                boolean spike = false;
                if (prevGood >= 0 && !Double.isInfinite(maxChange)) {
                    RawReading p = rs[prevGood];
                    long dt = r.epochMillis() - p.epochMillis();
                    double minutes = Math.max(dt / 60_000.0, 1.0 / 60);
                    spike = dt <= spikeHorizon && Math.abs(r.value() - p.value()) / minutes > maxChange;
                }
                if (spike) {
                    if (r.epochMillis() >= currentStart) {
                        faultInCurrent[signal.ordinal()] = true;
                    }
                    continue;
                }
                good[i - start] = true;
                prevGood = i;
                int w = (int) ((r.epochMillis() - from) / windowMs);
                if (row[w] == null) {
                    row[w] = new WindowStats();
                }
                row[w].add(r.epochMillis(), r.value());
                if (r.epochMillis() >= currentStart && isStuck(signal, rs, start, i, good)) {
                    faultInCurrent[signal.ordinal()] = true;
                }
            }
        }

        /** Whether good reading {@code i} equals every good reading of the preceding stuck span. */
        private static boolean isStuck(Signal signal, RawReading[] rs, int start, int i, boolean[] good) {
            int minutes = signal.stuckMinutes();
            if (minutes == 0) {
                return false;
            }
            long spanStart = rs[i].epochMillis() - minutes * 60_000L;
            int same = 0;
            long earliest = Long.MAX_VALUE;
            for (int j = i - 1; j >= start && rs[j].epochMillis() >= spanStart; j--) {
                if (!good[j - start]) {
                    continue;
                }
                if (rs[j].value() != rs[i].value()) {
                    return false;
                }
                same++;
                earliest = rs[j].epochMillis();
            }
            return same >= 5 && earliest <= spanStart + 60_000L;
        }

        /** Window {@code w}'s statistics after forward fill; missing ones are all NaN. */
        WindowStats filled(Signal signal, int w) {
            if (w < 0) {
                return WindowStats.EMPTY;
            }
            WindowStats[] row = stats[signal.ordinal()];
            if (row[w] != null) {
                return row[w];
            }
            for (int back = 1; back <= spec.maxForwardFillWindows() && w - back >= 0; back++) {
                if (row[w - back] != null) {
                    return WindowStats.constant(row[w - back].last);
                }
            }
            return WindowStats.EMPTY;
        }
    }
}
