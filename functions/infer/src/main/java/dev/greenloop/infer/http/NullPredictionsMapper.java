package dev.greenloop.infer.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

import java.util.Map;

/**
 * Maps keep their null values in infer's answers: a target the model could not predict is
 * {@code "co2": null}, as the OpenAPI schema says, not a missing key. Everything else keeps
 * {@code quarkus.jackson.serialization-inclusion=non-null} (which would drop map values too).
 */
@Singleton
public class NullPredictionsMapper implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.configOverride(Map.class).setInclude(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL,
                JsonInclude.Include.ALWAYS));
    }
}
