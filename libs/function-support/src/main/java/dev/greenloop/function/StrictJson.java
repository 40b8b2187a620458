package dev.greenloop.function;

import dev.greenloop.function.base.FunctionException;
import dev.greenloop.function.base.ProblemKind;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.stream.Collectors;

/**
 * How the functions' HTTP APIs read a JSON request body into its record: an empty body, an
 * unknown field, a duplicate key, content after the value, a number where text is expected (or
 * text, a float or a boolean where a number is), a number for a time, NaN, or nesting deeper
 * than {@value #MAX_NESTING} is a 400 problem that says where. Resources take the body as bytes
 * and call {@link #read}; Quarkus' shared mapper (lenient, and used by Funqy) is left as it is.
 */
public final class StrictJson {

    /** Deepest nesting of a request body; greenloop's bodies need four. */
    public static final int MAX_NESTING = 32;

    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
                    // Exact, as the JDK's parser, and several times faster on the 17-digit numbers
                    // of feature vectors (FastDoubleParser, shipped inside jackson-core).
                    .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build())
            .addModule(new JavaTimeModule())
            .addModule(new SimpleModule("greenloop-strict-time").addDeserializer(Instant.class, new RfcInstant()))
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .withCoercionConfig(LogicalType.Textual, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Integer, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Float, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Boolean, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.DateTime, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail))
            .build();

    private StrictJson() {
    }

    /**
     * {@code body} as a {@code type}; never null.
     *
     * @throws BodyException (400) saying what is wrong and where
     */
    public static <T> T read(byte[] body, Class<T> type) {
        if (body == null || body.length == 0) {
            throw new BodyException("the body is empty: send a JSON object (Content-Type: application/json)");
        }
        try {
            T value = MAPPER.readValue(body, type);
            if (value == null) {
                throw new BodyException("the body is JSON null: send a JSON object");
            }
            return value;
        } catch (BodyException e) {
            throw e;
        } catch (JsonMappingException e) {
            String where = e.getPath().isEmpty() ? "" : " at /" + e.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()))
                    .collect(Collectors.joining("/"));
            throw new BodyException("the body is not JSON of the expected shape" + where + ": " + firstLine(e), e);
        } catch (JsonProcessingException e) {
            throw new BodyException("the body is not JSON: " + firstLine(e), e);
        } catch (IOException | RuntimeException e) {
            throw new BodyException("the body cannot be read as JSON: " + e.getClass().getSimpleName(), e);
        }
    }

    private static String firstLine(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        int cut = message.indexOf('\n');
        message = cut < 0 ? message : message.substring(0, cut);
        int advice = message.indexOf(" (through reference chain");
        message = advice < 0 ? message : message.substring(0, advice);
        if (e.getLocation() != null && e.getLocation().getLineNr() > 0) {
            message += " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        }
        return message.length() > 300 ? message.substring(0, 300) + "…" : message;
    }

    /** A time is an RFC 3339 string; Jackson's own reader would take any number as epoch seconds. */
    private static final class RfcInstant extends StdDeserializer<Instant> {
        RfcInstant() {
            super(Instant.class);
        }

        @Override
        public Instant deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (parser.currentToken() != JsonToken.VALUE_STRING) {
                return (Instant) context.handleUnexpectedToken(Instant.class, parser);
            }
            try {
                return OffsetDateTime.parse(parser.getText()).toInstant();
            } catch (DateTimeParseException e) {
                return (Instant) context.handleWeirdStringValue(Instant.class, parser.getText(),
                        "not an RFC 3339 time (2026-06-21T12:00:00Z)");
            }
        }
    }

    /** A request body that is not JSON of the expected shape: 400. */
    public static final class BodyException extends FunctionException {

        private static final ProblemKind INVALID_REQUEST = ProblemKind.of(400, "invalid-request");

        BodyException(String message) {
            super(INVALID_REQUEST, message, null);
        }

        BodyException(String message, Throwable cause) {
            super(INVALID_REQUEST, message, cause);
        }
    }
}
