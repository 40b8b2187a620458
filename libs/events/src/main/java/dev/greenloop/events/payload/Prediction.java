package dev.greenloop.events.payload;

import java.time.Instant;
import java.util.List;

/**
 * Payload of {@code dev.greenloop.prediction.v1}. A {@code shadow} prediction comes from the
 * {@code challenger} model and is for judging it on live data: nothing acts on it.
 *
 * @param windowId  the feature window the prediction was made from
 * @param windowEnd end of that window; predictions are for {@code windowEnd + horizon}
 */
public record Prediction(String greenhouseId, String zoneId, String windowId, Instant windowEnd,
                         String modelName, String modelVersion, String featureSpecVersion,
                         List<TargetValue> values, boolean shadow) implements EventPayload, ZoneScoped {

    public Prediction {
        Checks.id("greenhouseId", greenhouseId);
        Checks.id("zoneId", zoneId);
        Checks.id("windowId", windowId);
        Checks.required("windowEnd", windowEnd);
        Checks.id("modelName", modelName);
        Checks.id("modelVersion", modelVersion);
        Checks.id("featureSpecVersion", featureSpecVersion);
        values = Checks.nonEmpty("values", values);
    }
}
