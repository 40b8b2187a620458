package dev.greenloop.onlinestore;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A zone's latest feature vector: the features of its newest window, by name, as preprocess
 * computed them ({@code values.get(i)} is feature {@code names.get(i)}; null when missing).
 */
public record OnlineVector(String greenhouseId, String zoneId, String windowId, Instant windowStart, Instant windowEnd,
                           String featureSpecVersion, List<String> names, List<Double> values) {

    public OnlineVector {
        Objects.requireNonNull(greenhouseId, "greenhouseId");
        Objects.requireNonNull(zoneId, "zoneId");
        Objects.requireNonNull(windowStart, "windowStart");
        Objects.requireNonNull(windowEnd, "windowEnd");
        names = List.copyOf(names);
        values = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(values));
        if (names.size() != values.size()) {
            throw new IllegalArgumentException(names.size() + " feature names but " + values.size() + " values");
        }
    }

    /** The feature {@code name}, when present and finite. */
    public Optional<Double> feature(String name) {
        int i = names.indexOf(name);
        Double v = i < 0 ? null : values.get(i);
        return v != null && Double.isFinite(v) ? Optional.of(v) : Optional.empty();
    }

    /** The latest measured value of {@code signal} in the window: its {@code <signal>_last} feature. */
    public Optional<Double> last(String signal) {
        return feature(signal + "_last");
    }
}
