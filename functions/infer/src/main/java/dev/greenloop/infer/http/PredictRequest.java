package dev.greenloop.infer.http;

import dev.greenloop.function.base.BodyValidation;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/** The body of {@code POST /v1/predict}: one feature vector, or a batch of them. */
@Schema(description = "Feature vectors in the order of the feature spec (GET /v1/models lists it); null is a missing value. "
        + "Send either 'features' (one vector) or 'batch' (several).")
public record PredictRequest(
        @Schema(required = true, examples = "gh-1", description = "Whose champion model answers")
        @NotNull(message = "is required: the greenhouse whose model answers")
        @Pattern(regexp = BodyValidation.ID, message = BodyValidation.ID_MESSAGE) String greenhouseId,
        @Schema(required = true, examples = "v1", description = "The feature spec the vectors follow")
        @NotNull(message = "is required: the feature spec the vectors follow")
        @Pattern(regexp = BodyValidation.ID, message = BodyValidation.ID_MESSAGE) String featureSpecVersion,
        @Schema(description = "One feature vector") List<Double> features,
        @Schema(description = "Several feature vectors, at most greenloop.infer.max-batch (1024)")
        @Size(min = 1, message = "must hold at least one vector") List<List<Double>> batch) {
}
