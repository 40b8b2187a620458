package dev.greenloop.features;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * How much of a feature table has each signal and each {@link Signal.Group}: the guard against a
 * stage upstream dropping part of the data without a word. Counts rows by the set of signals
 * they miss ({@code <signal>_missing} = 1), so every figure below can be derived and two
 * coverages can be added.
 *
 * <p><b>The rule for a group</b> (the trainer applies the same one): a signal that no row of the
 * table has is <i>not reported</i> (a greenhouse without lamps) and is left out; a row misses the
 * group when it misses any of the group's reported signals; when none of the group's signals is
 * reported, every row misses the group. Not thread-safe.
 */
public final class FeatureCoverage {

    private static final Signal[] SIGNALS = Signal.values();

    private final FeatureSpec spec;
    /** Rows by the bit mask of the signals they miss (bit = signal ordinal). */
    private final Map<Integer, Long> rowsByMissing = new TreeMap<>();
    private long rows;

    public FeatureCoverage(FeatureSpec spec) {
        this.spec = spec;
    }

    /** Counts one row's feature vector. */
    public void add(double[] features) {
        int mask = 0;
        for (Signal s : SIGNALS) {
            if (features[spec.missingIndex(s)] != 0) {
                mask |= 1 << s.ordinal();
            }
        }
        addPattern(mask, 1);
    }

    /** Adds rows that miss exactly the signals of {@code mask}. */
    public void addPattern(int mask, long count) {
        if (count > 0) {
            rowsByMissing.merge(mask, count, Long::sum);
            rows += count;
        }
    }

    /** Adds every row of {@code other}. */
    public FeatureCoverage addAll(FeatureCoverage other) {
        other.rowsByMissing.forEach(this::addPattern);
        return this;
    }

    public long rows() {
        return rows;
    }

    /** Rows without {@code signal}. */
    public long missing(Signal signal) {
        long n = 0;
        for (Map.Entry<Integer, Long> e : rowsByMissing.entrySet()) {
            if ((e.getKey() & (1 << signal.ordinal())) != 0) {
                n += e.getValue();
            }
        }
        return n;
    }

    /** Whether some row has {@code signal}. */
    public boolean reported(Signal signal) {
        return missing(signal) < rows;
    }

    /** Rows that miss {@code group}, by the rule in the class comment. */
    public long missing(Signal.Group group) {
        int reported = 0;
        for (Signal s : group.signals()) {
            if (reported(s)) {
                reported |= 1 << s.ordinal();
            }
        }
        if (reported == 0) {
            return rows;
        }
        long n = 0;
        for (Map.Entry<Integer, Long> e : rowsByMissing.entrySet()) {
            if ((e.getKey() & reported) != 0) {
                n += e.getValue();
            }
        }
        return n;
    }

    /** Share of rows that miss {@code group}; 0 for an empty table. */
    public double missingShare(Signal.Group group) {
        return rows == 0 ? 0 : (double) missing(group) / rows;
    }

    /** Rows missing per group, by group name. */
    public Map<String, Long> missingByGroup() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Signal.Group g : Signal.Group.values()) {
            out.put(g.wireName(), missing(g));
        }
        return out;
    }

    /** Rows missing per signal, by feature prefix. */
    public Map<String, Long> missingBySignal() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Signal s : SIGNALS) {
            out.put(s.featurePrefix(), missing(s));
        }
        return out;
    }

    /** The row counts by missing-signal mask (hexadecimal keys), for storing and adding up later. */
    public Map<String, Long> patterns() {
        Map<String, Long> out = new LinkedHashMap<>();
        rowsByMissing.forEach((mask, n) -> out.put(Integer.toHexString(mask), n));
        return out;
    }

    /** The inverse of {@link #patterns()}. */
    public static FeatureCoverage of(FeatureSpec spec, Map<String, ? extends Number> patterns) {
        FeatureCoverage c = new FeatureCoverage(spec);
        patterns.forEach((mask, n) -> c.addPattern(Integer.parseInt(mask, 16), n.longValue()));
        return c;
    }

    /** One line for a log: rows, then each group's missing rows and share, and signals never reported. */
    public String summary() {
        StringBuilder s = new StringBuilder().append(rows).append(" rows; missing:");
        Map<Signal.Group, Long> byGroup = new EnumMap<>(Signal.Group.class);
        for (Signal.Group g : Signal.Group.values()) {
            byGroup.put(g, missing(g));
        }
        byGroup.forEach((g, n) -> s.append(' ').append(g.wireName()).append(' ').append(n)
                .append(String.format(java.util.Locale.ROOT, " (%.1f %%)", rows == 0 ? 0.0 : 100.0 * n / rows)).append(','));
        s.setLength(s.length() - 1);
        StringBuilder never = new StringBuilder();
        for (Signal sig : SIGNALS) {
            if (rows > 0 && !reported(sig)) {
                never.append(never.isEmpty() ? "" : ", ").append(sig.featurePrefix());
            }
        }
        if (!never.isEmpty()) {
            s.append("; never reported: ").append(never);
        }
        return s.toString();
    }
}
