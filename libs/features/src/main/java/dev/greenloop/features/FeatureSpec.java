package dev.greenloop.features;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The versioned feature definition: per zone, on fixed windows aligned to the epoch.
 *
 * <p>For every {@link Signal}, in this order:
 * <ol>
 *   <li>{@code <signal>_last}, {@code _mean}, {@code _min}, {@code _max} of the window's good
 *       readings (spikes left out);</li>
 *   <li>{@code <signal>_lag_<k>m}: the window mean {@code k} minutes earlier, for each lag;</li>
 *   <li>{@code <signal>_rolling_mean_<k>m}: the mean of the last {@code k} window means;</li>
 * </ol>
 * then {@code vpd_kpa}, {@code dew_point_c}, {@code absolute_humidity_gm3} from the window's air
 * temperature and humidity means, {@code time_of_day_sin}/{@code _cos} of the window end (UTC),
 * and per signal {@code <signal>_missing} and {@code <signal>_fault} (1 or 0).
 *
 * <p><b>Missing data</b>: a window without good readings of a signal takes the last value of the
 * most recent window that had some, at most {@link #maxForwardFillWindows()} windows back (last,
 * mean, min and max all become that value). Further back, the signal's features are missing
 * (NaN; {@code null} in events and Parquet) and {@code <signal>_missing} is 1.
 *
 * <p><b>Point in time</b>: the features of a window use only readings timestamped before its end
 * and at most {@link #lookback()} earlier; nothing later can change them.
 *
 * <p><b>Targets</b> (offline only): {@code target_<signal>_<h>m}, the mean of the good readings of
 * the window starting {@code h} minutes after this one's start, for air temperature, relative
 * humidity and CO2; missing when that window has none (never forward-filled).
 */
public final class FeatureSpec {

    public static final FeatureSpec V1 = new FeatureSpec("v1", Duration.ofMinutes(1), List.of(5, 15, 60),
            List.of(5, 15, 60), 5, Duration.ofMinutes(10),
            List.of(Signal.AIR_TEMPERATURE, Signal.RELATIVE_HUMIDITY, Signal.CO2), 15);

    private final String version;
    private final Duration window;
    private final List<Integer> lagMinutes;
    private final List<Integer> rollingMinutes;
    private final int maxForwardFillWindows;
    private final Duration spikeHorizon;
    private final List<Signal> targetSignals;
    private final int defaultHorizonMinutes;
    private final List<String> names;

    private FeatureSpec(String version, Duration window, List<Integer> lagMinutes, List<Integer> rollingMinutes,
                        int maxForwardFillWindows, Duration spikeHorizon, List<Signal> targetSignals,
                        int defaultHorizonMinutes) {
        this.version = version;
        this.window = window;
        this.lagMinutes = List.copyOf(lagMinutes);
        this.rollingMinutes = List.copyOf(rollingMinutes);
        this.maxForwardFillWindows = maxForwardFillWindows;
        this.spikeHorizon = spikeHorizon;
        this.targetSignals = List.copyOf(targetSignals);
        this.defaultHorizonMinutes = defaultHorizonMinutes;
        this.names = Collections.unmodifiableList(buildNames());
    }

    public String version() {
        return version;
    }

    public Duration window() {
        return window;
    }

    public long windowMillis() {
        return window.toMillis();
    }

    public List<Integer> lagMinutes() {
        return lagMinutes;
    }

    public List<Integer> rollingMinutes() {
        return rollingMinutes;
    }

    public int maxForwardFillWindows() {
        return maxForwardFillWindows;
    }

    /** How far back a spike is judged against the previous good reading. */
    public Duration spikeHorizon() {
        return spikeHorizon;
    }

    public List<Signal> targetSignals() {
        return targetSignals;
    }

    public int defaultHorizonMinutes() {
        return defaultHorizonMinutes;
    }

    /**
     * How many windows of history one window's features read (the window itself included):
     * the longest lag or rolling mean, plus forward fill, plus the spike horizon and the longest
     * stuck rule before the first of those readings.
     */
    public int lookbackWindows() {
        int longest = Math.max(lagMinutes.stream().max(Integer::compare).orElse(0),
                rollingMinutes.stream().max(Integer::compare).orElse(0));
        int stuck = java.util.Arrays.stream(Signal.values()).mapToInt(Signal::stuckMinutes).max().orElse(0);
        int spike = (int) spikeHorizon.toMinutes();
        return Math.max(longest + maxForwardFillWindows + 1 + spike, stuck + spike + 1);
    }

    public Duration lookback() {
        return window.multipliedBy(lookbackWindows());
    }

    /** Index of {@code <signal>_missing} in the vector: 1 when the signal has no value within forward-fill range. */
    public int missingIndex(Signal signal) {
        return size() - 2 * Signal.values().length + signal.ordinal();
    }

    /** Feature names in vector order. */
    public List<String> names() {
        return names;
    }

    public int size() {
        return names.size();
    }

    /** Names of the target columns for {@code horizonMinutes}. */
    public List<String> targetNames(int horizonMinutes) {
        return targetSignals.stream().map(s -> "target_" + s.featurePrefix() + "_" + horizonMinutes + "m").toList();
    }

    /** Start of the window holding {@code epochMillis}. */
    public long windowStart(long epochMillis) {
        return Math.floorDiv(epochMillis, windowMillis()) * windowMillis();
    }

    /** The spec as a document: what the trainer and infer check a dataset or a model against. */
    public Map<String, Object> describe() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("version", version);
        doc.put("windowSeconds", window.toSeconds());
        doc.put("lookbackMinutes", lookback().toMinutes());
        doc.put("lagMinutes", lagMinutes);
        doc.put("rollingMinutes", rollingMinutes);
        doc.put("maxForwardFillWindows", maxForwardFillWindows);
        doc.put("features", names);
        doc.put("targets", targetSignals.stream().map(Signal::featurePrefix).toList());
        doc.put("defaultHorizonMinutes", defaultHorizonMinutes);
        Map<String, Object> groups = new LinkedHashMap<>();
        for (Signal.Group g : Signal.Group.values()) {
            groups.put(g.wireName(), g.signals().stream().map(Signal::featurePrefix).toList());
        }
        doc.put("signalGroups", groups);
        return doc;
    }

    /** The spec of {@code version}, or empty. */
    public static java.util.Optional<FeatureSpec> of(String version) {
        return V1.version.equals(version) ? java.util.Optional.of(V1) : java.util.Optional.empty();
    }

    private List<String> buildNames() {
        List<String> out = new ArrayList<>();
        for (Signal s : Signal.values()) {
            for (String stat : List.of("last", "mean", "min", "max")) {
                out.add(s.featurePrefix() + "_" + stat);
            }
        }
        for (Signal s : Signal.values()) {
            for (int lag : lagMinutes) {
                out.add(s.featurePrefix() + "_lag_" + lag + "m");
            }
        }
        for (Signal s : Signal.values()) {
            for (int k : rollingMinutes) {
                out.add(s.featurePrefix() + "_rolling_mean_" + k + "m");
            }
        }
        out.addAll(List.of("vpd_kpa", "dew_point_c", "absolute_humidity_gm3", "time_of_day_sin", "time_of_day_cos"));
        for (Signal s : Signal.values()) {
            out.add(s.featurePrefix() + "_missing");
        }
        for (Signal s : Signal.values()) {
            out.add(s.featurePrefix() + "_fault");
        }
        return out;
    }
}
