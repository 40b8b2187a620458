package dev.greenloop.infer.http;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/** The body of {@code POST /v1/predict}: one feature vector, or a batch of them. */
@Schema(description = "Feature vectors in the order of the feature spec (GET /v1/models lists it); null is a missing value. "
        + "Send either 'features' (one vector) or 'batch' (several).")
public record PredictRequest(
        @Schema(required = true, examples = "gh-1", description = "Whose champion model answers") String greenhouseId,
        @Schema(required = true, examples = "v1", description = "The feature spec the vectors follow") String featureSpecVersion,
        @Schema(description = "One feature vector") List<Double> features,
        @Schema(description = "Several feature vectors, at most greenloop.infer.max-batch (1024)") List<List<Double>> batch) {
}
