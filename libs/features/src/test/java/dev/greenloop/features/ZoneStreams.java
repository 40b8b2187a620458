package dev.greenloop.features;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generators of plausible, messy zone histories for property tests: random walks per signal,
 * gaps, occasional spikes and stuck stretches, duplicates and disorder. Seeded, so a failing case
 * reproduces from its seed.
 */
public final class ZoneStreams {

    private static final double[] BASE = {22, 75, 600, 400, 12, 80, 300, 3, 45, 20, 50, 0};
    private static final double[] STEP = {0.3, 1.5, 30, 60, 0.2, 1, 50, 0.5, 1, 5, 10, 50};

    private ZoneStreams() {
    }

    /** About {@code count} readings with timestamps in {@code [from, to)}, in time order. */
    public static List<RawReading> history(Random random, long from, long to, int count) {
        List<RawReading> out = new ArrayList<>(count);
        Signal[] signals = Signal.values();
        double[] value = BASE.clone();
        long span = Math.max(1, to - from);
        long[] times = random.longs(count, from, from + span).sorted().toArray();
        long gapStart = from + (long) (random.nextDouble() * span);
        long gapEnd = gapStart + (long) (random.nextDouble() * span / 4);
        for (long t : times) {
            if (t >= gapStart && t < gapEnd) {
                continue;
            }
            int s = random.nextInt(signals.length);
            value[s] += random.nextGaussian() * STEP[s] / 3;
            double v = value[s];
            double roll = random.nextDouble();
            if (roll < 0.03) {
                v += STEP[s] * 40;
            } else if (roll < 0.06 && !out.isEmpty()) {
                RawReading copy = out.get(random.nextInt(out.size()));
                out.add(new RawReading(copy.signal(), copy.epochMillis(), roll < 0.045 ? copy.value() : copy.value() + 1));
                continue;
            }
            out.add(new RawReading(signals[s], t, Math.round(v * 100) / 100.0));
        }
        return out;
    }

    /**
     * A zone's events as devices send them: readings grouped into small batches, batches out of
     * order within a few minutes, some batches resent.
     */
    public static List<List<RawReading>> events(Random random, long from, long to, int readings) {
        List<RawReading> all = history(random, from, to, readings);
        List<List<RawReading>> events = new ArrayList<>();
        for (int i = 0; i < all.size(); ) {
            int n = 1 + random.nextInt(12);
            events.add(new ArrayList<>(all.subList(i, Math.min(all.size(), i + n))));
            i += n;
        }
        for (int i = 0; i + 1 < events.size(); i++) {
            if (random.nextDouble() < 0.25) {
                java.util.Collections.swap(events, i, i + 1);
            }
        }
        int resends = events.size() / 10;
        for (int i = 0; i < resends; i++) {
            int at = random.nextInt(events.size());
            events.add(Math.min(events.size(), at + 1 + random.nextInt(5)), events.get(at));
        }
        return events;
    }
}
