package dev.greenloop.ingest.http;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * The JSON bodies Quarkus binds for ingest (the admin API; readings are parsed by the event
 * contract's own strict codec): unknown fields, trailing content, a number where text is
 * expected or text where a number or boolean is, and nesting deeper than {@value #MAX_NESTING}
 * are errors ({@link dev.greenloop.function.base.ProblemMapper} answers them as 400 problems). Ingest has no Funqy, so the
 * shared mapper can be strict.
 */
@Singleton
public class StrictMapper implements ObjectMapperCustomizer {

    public static final int MAX_NESTING = 32;

    @Override
    public void customize(ObjectMapper mapper) {
        // Unknown fields: quarkus.jackson.fail-on-unknown-properties (application.properties).
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        mapper.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build());
    }
}
