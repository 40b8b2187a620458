package dev.greenloop.events.payload;

import dev.greenloop.events.EventException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;

/**
 * Payload of {@code dev.greenloop.features.window.v1}: the feature vector of one zone for one
 * closed window. {@code values} is aligned with {@code featureNames}; a {@code null} value is a
 * missing feature (the feature spec says how missing data is flagged).
 *
 * @param windowId           stable id of the window, derived from zone and window start
 * @param featureSpecVersion version of the feature spec that produced the vector (e.g. {@code v1})
 * @param sourceEventIds     ids of the readings events the window was built from (lineage)
 */
public record FeatureWindow(String windowId, String greenhouseId, String zoneId,
                            Instant windowStart, Instant windowEnd, String featureSpecVersion,
                            List<String> featureNames, List<Double> values, List<String> sourceEventIds) implements EventPayload, ZoneScoped {

    public FeatureWindow {
        Checks.id("windowId", windowId);
        Checks.id("greenhouseId", greenhouseId);
        Checks.id("zoneId", zoneId);
        Checks.required("windowStart", windowStart);
        Checks.before("windowEnd", windowEnd, "windowStart", windowStart);
        Checks.id("featureSpecVersion", featureSpecVersion);
        featureNames = Checks.nonEmpty("featureNames", featureNames);
        if (new HashSet<>(featureNames).size() != featureNames.size()) {
            throw EventException.invalidField("featureNames", "must not repeat a name");
        }
        if (values == null || values.size() != featureNames.size()) {
            throw EventException.invalidField("values", "must have one entry per feature name ("
                    + featureNames.size() + ")");
        }
        for (int i = 0; i < values.size(); i++) {
            Double v = values.get(i);
            // The field's name is built only for an error: this runs for every feature of every window.
            if (v != null && (!Double.isFinite(v) || Math.abs(v) > Checks.MAX_MAGNITUDE)) {
                Checks.finite("values/" + i, v);
            }
        }
        // List.copyOf rejects nulls, and null is how a missing feature travels.
        values = Collections.unmodifiableList(new ArrayList<>(values));
        sourceEventIds = Checks.list("sourceEventIds", sourceEventIds);
    }
}
