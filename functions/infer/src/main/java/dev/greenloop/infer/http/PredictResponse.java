package dev.greenloop.infer.http;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;
import java.util.Map;

/**
 * The champion's predictions, one map of target to value per vector, in request order, and, when
 * the model gives prediction intervals, one map of target to interval per vector.
 */
@Schema(description = "Predicted values per target, horizonMinutes after the end of each vector's window. "
        + "A null value: the model could not predict that target from the vector.")
public record PredictResponse(String greenhouseId, String modelName, String modelVersion, String featureSpecVersion,
                              int horizonMinutes, List<String> targets, List<Map<String, Double>> predictions,
                              @Schema(description = "Only when the model gives prediction intervals: per vector, per target "
                                      + "with an interval, its bounds (low <= value <= high); null where the value is null")
                              List<Map<String, Interval>> intervals) {

    /** A prediction interval: the model's low and high quantile. */
    public record Interval(double low, double high) {
    }
}
