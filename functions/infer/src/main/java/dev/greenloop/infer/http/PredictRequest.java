package dev.greenloop.infer.http;

import dev.greenloop.function.base.BodyValidation;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;


/**
 * The body of {@code POST /v1/predict}: one feature vector, or a batch of them. The vectors are
 * read straight into floats ({@link FeatureRows}); a batch's least size is checked by the resource.
 */
@Schema(description = "Feature vectors in the order of the feature spec (GET /v1/models lists it); null is a missing value. "
        + "Send either 'features' (one vector) or 'batch' (several).")
public record PredictRequest(
        @Schema(required = true, examples = "gh-1", description = "Whose champion model answers")
        @NotNull(message = "is required: the greenhouse whose model answers")
        @Pattern(regexp = BodyValidation.ID, message = BodyValidation.ID_MESSAGE) String greenhouseId,
        @Schema(required = true, examples = "v1", description = "The feature spec the vectors follow")
        @NotNull(message = "is required: the feature spec the vectors follow")
        @Pattern(regexp = BodyValidation.ID, message = BodyValidation.ID_MESSAGE) String featureSpecVersion,
        @Schema(type = SchemaType.ARRAY, implementation = Double.class, description = "One feature vector")
        @JsonDeserialize(using = FeatureRows.One.class) FeatureRows features,
        @Schema(type = SchemaType.ARRAY, implementation = Double[].class, minItems = 1,
                description = "Several feature vectors, at most greenloop.infer.max-batch (1024)")
        @JsonDeserialize(using = FeatureRows.Many.class) FeatureRows batch) {
}
