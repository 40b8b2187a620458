package dev.greenloop.infer.http;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;
import java.util.Map;

/** The champion's predictions, one map of target to value per vector, in request order. */
@Schema(description = "Predicted values per target, horizonMinutes after the end of each vector's window. "
        + "A null value: the model could not predict that target from the vector.")
public record PredictResponse(String greenhouseId, String modelName, String modelVersion, String featureSpecVersion,
                              int horizonMinutes, List<String> targets, List<Map<String, Double>> predictions) {
}
