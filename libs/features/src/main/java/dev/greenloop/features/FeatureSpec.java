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
 *
 * <p><b>Versions.</b> {@link #V1} is the list above (149 features). {@link #V2} keeps V1's 149
 * features, in V1's order, and appends:
 * <ol>
 *   <li>per signal, {@code <signal>_change_<k>m}: the window mean less the window mean {@code k}
 *       minutes earlier, for each {@link #changeMinutes()} (how the actuators were just moved,
 *       where the weather outside is heading, which way the climate inside is drifting);</li>
 *   <li>{@code indoor_outdoor_temperature_difference_c} (inside less outside air),
 *       {@code pipe_air_temperature_difference_c} (heating pipe less inside air),
 *       {@code vent_temperature_exchange_c} (vent opening as a fraction times the inside-outside
 *       difference: what ventilation is taking out), {@code outdoor_absolute_humidity_gm3},
 *       {@code vent_humidity_exchange_gm3} (vent opening as a fraction times the inside-outside
 *       difference of absolute humidity) and {@code transmitted_radiation_wm2} (global radiation
 *       times the share the screen leaves open);</li>
 * </ol>
 * all from the window means after forward fill, missing when an input is. Because V2 starts with
 * V1, a model trained on V1 reads the first 149 features of a V2 vector ({@link #extendsSpec}).
 * {@link #CURRENT} is the version preprocess computes.
 */
public final class FeatureSpec {

    /** The names of V2's physically derived features, in vector order (before the versions: they read it). */
    static final List<String> EXCHANGE_FEATURES = List.of("indoor_outdoor_temperature_difference_c",
            "pipe_air_temperature_difference_c", "vent_temperature_exchange_c", "outdoor_absolute_humidity_gm3",
            "vent_humidity_exchange_gm3", "transmitted_radiation_wm2");

    public static final FeatureSpec V1 = new FeatureSpec("v1", Duration.ofMinutes(1), List.of(5, 15, 60),
            List.of(5, 15, 60), 5, Duration.ofMinutes(10),
            List.of(Signal.AIR_TEMPERATURE, Signal.RELATIVE_HUMIDITY, Signal.CO2), 15, List.of(), false);

    public static final FeatureSpec V2 = new FeatureSpec("v2", Duration.ofMinutes(1), List.of(5, 15, 60),
            List.of(5, 15, 60), 5, Duration.ofMinutes(10),
            List.of(Signal.AIR_TEMPERATURE, Signal.RELATIVE_HUMIDITY, Signal.CO2), 15, List.of(5, 15, 60), true);

    /** The version preprocess computes, online and offline. */
    public static final FeatureSpec CURRENT = V2;

    private final String version;
    private final Duration window;
    private final List<Integer> lagMinutes;
    private final List<Integer> rollingMinutes;
    private final int maxForwardFillWindows;
    private final Duration spikeHorizon;
    private final List<Signal> targetSignals;
    private final int defaultHorizonMinutes;
    private final List<Integer> changeMinutes;
    private final boolean exchange;
    private final List<String> names;
    private final int missingIndex;

    private FeatureSpec(String version, Duration window, List<Integer> lagMinutes, List<Integer> rollingMinutes,
                        int maxForwardFillWindows, Duration spikeHorizon, List<Signal> targetSignals,
                        int defaultHorizonMinutes, List<Integer> changeMinutes, boolean exchange) {
        this.version = version;
        this.window = window;
        this.lagMinutes = List.copyOf(lagMinutes);
        this.rollingMinutes = List.copyOf(rollingMinutes);
        this.maxForwardFillWindows = maxForwardFillWindows;
        this.spikeHorizon = spikeHorizon;
        this.targetSignals = List.copyOf(targetSignals);
        this.defaultHorizonMinutes = defaultHorizonMinutes;
        this.changeMinutes = List.copyOf(changeMinutes);
        this.exchange = exchange;
        this.names = Collections.unmodifiableList(buildNames());
        this.missingIndex = names.indexOf(Signal.values()[0].featurePrefix() + "_missing");
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

    /** The spans of the {@code <signal>_change_<k>m} features; empty before V2. */
    public List<Integer> changeMinutes() {
        return changeMinutes;
    }

    /** Whether the physically derived exchange features follow the changes (V2 on). */
    public boolean exchangeFeatures() {
        return exchange;
    }

    /**
     * Whether a vector of this spec starts with every feature of {@code other}, in its order, so
     * that a model trained on {@code other} reads the first {@code other.size()} values. True for
     * the spec itself.
     */
    public boolean extendsSpec(FeatureSpec other) {
        return window.equals(other.window) && names.size() >= other.names.size()
                && names.subList(0, other.names.size()).equals(other.names);
    }

    /**
     * How many windows of history one window's features read (the window itself included):
     * the longest lag or rolling mean, plus forward fill, plus the spike horizon and the longest
     * stuck rule before the first of those readings.
     */
    public int lookbackWindows() {
        int longest = Math.max(Math.max(lagMinutes.stream().max(Integer::compare).orElse(0),
                rollingMinutes.stream().max(Integer::compare).orElse(0)), changeMinutes.stream().max(Integer::compare).orElse(0));
        int stuck = java.util.Arrays.stream(Signal.values()).mapToInt(Signal::stuckMinutes).max().orElse(0);
        int spike = (int) spikeHorizon.toMinutes();
        return Math.max(longest + maxForwardFillWindows + 1 + spike, stuck + spike + 1);
    }

    public Duration lookback() {
        return window.multipliedBy(lookbackWindows());
    }

    /** Index of {@code <signal>_missing} in the vector: 1 when the signal has no value within forward-fill range. */
    public int missingIndex(Signal signal) {
        return missingIndex + signal.ordinal();
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
        if (!changeMinutes.isEmpty()) {
            doc.put("changeMinutes", changeMinutes);
        }
        if (this != V1 && extendsSpec(V1)) {
            doc.put("extends", V1.version);
        }
        Map<String, Object> groups = new LinkedHashMap<>();
        for (Signal.Group g : Signal.Group.values()) {
            groups.put(g.wireName(), g.signals().stream().map(Signal::featurePrefix).toList());
        }
        doc.put("signalGroups", groups);
        return doc;
    }

    @Override
    public String toString() {
        return "feature spec " + version;
    }

    /** The spec of {@code version}, or empty. */
    public static java.util.Optional<FeatureSpec> of(String version) {
        return all().stream().filter(s -> s.version.equals(version)).findFirst();
    }

    /** Every version, oldest first. */
    public static List<FeatureSpec> all() {
        return List.of(V1, V2);
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
        for (Signal s : Signal.values()) {
            for (int k : changeMinutes) {
                out.add(s.featurePrefix() + "_change_" + k + "m");
            }
        }
        if (exchange) {
            out.addAll(EXCHANGE_FEATURES);
        }
        return out;
    }
}
