package dev.greenloop.events.payload;

import dev.greenloop.events.EventException;

import java.time.Instant;

/**
 * Payload of {@code dev.greenloop.drift.detected.v1}: a monitored metric of the serving model
 * crossed its threshold over a time range.
 *
 * @param zoneId {@code null} when the drift concerns the whole greenhouse
 * @param metric what was measured (for example {@code mae_air_temperature_15m})
 */
public record DriftDetected(String greenhouseId, String zoneId, String modelName, String modelVersion,
                            String metric, double value, double threshold, Instant from, Instant to) implements EventPayload, ZoneScoped {

    public DriftDetected {
        Checks.id("greenhouseId", greenhouseId);
        Checks.optionalId("zoneId", zoneId);
        Checks.id("modelName", modelName);
        Checks.id("modelVersion", modelVersion);
        Checks.text("metric", metric, 128);
        Checks.finite("value", value);
        Checks.finite("threshold", threshold);
        Checks.required("from", from);
        Checks.before("to", to, "from", from);
        if (value < threshold) {
            throw EventException.invalidField("value", "must have crossed the threshold");
        }
    }
}
