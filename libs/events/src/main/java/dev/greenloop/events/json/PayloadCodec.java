package dev.greenloop.events.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import dev.greenloop.events.EventException;
import dev.greenloop.events.EventType;
import dev.greenloop.events.FieldError;
import dev.greenloop.events.payload.EventPayload;
import dev.greenloop.events.payload.ReadingsBatch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Payloads to and from JSON bytes. Reading always validates: first the JSON Schema (every error,
 * with pointers), then the record's own rules. Whatever comes out of {@link #read} is valid.
 * Readings batches and feature windows, the contract's volume, are first offered to a streaming
 * reader ({@link ReadingsReader}, {@link WindowReader}) that takes only what plainly meets the
 * schema and otherwise leaves the payload to the schema; its result equals the full path's.
 */
public final class PayloadCodec {

    private PayloadCodec() {
    }

    /** The payload as JSON bytes. */
    public static byte[] write(EventPayload payload) {
        if (payload instanceof ReadingsBatch batch) {
            return ReadingsWriter.write(batch);
        }
        try {
            return EventJson.mapper().writeValueAsBytes(payload);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("Cannot serialise " + payload.getClass().getSimpleName(), e);
        }
    }

    /**
     * Parses, validates and binds the payload of an {@code eventType} event.
     *
     * @throws EventException {@code MALFORMED_JSON}, {@code SCHEMA_VIOLATION} (with every field
     *                        error) or {@code INVALID_FIELD}
     */
    @SuppressWarnings("unchecked")
    public static <T extends EventPayload> T read(EventType eventType, byte[] json) {
        if (eventType == EventType.SENSOR_READINGS) {
            // Most batches are plain: one streaming pass. The rest take the full path below.
            EventPayload plain = ReadingsReader.read(json);
            if (plain != null) {
                return (T) plain;
            }
        }
        return readFully(eventType, json);
    }

    /** {@link #read} without the streaming reader for readings: tree, schema, binding. */
    static <T extends EventPayload> T readFully(EventType eventType, byte[] json) {
        return bindFully(eventType, parse(json));
    }

    /** Like {@link #read(EventType, byte[])} for a payload already parsed into a tree. */
    @SuppressWarnings("unchecked")
    public static <T extends EventPayload> T bind(EventType eventType, JsonNode tree) {
        EventPayload plain = switch (eventType) {
            case SENSOR_READINGS -> ReadingsReader.read(tree);
            case FEATURES_WINDOW -> WindowReader.read(tree);
            default -> null;
        };
        return plain != null ? (T) plain : bindFully(eventType, tree);
    }

    /** {@link #bind} without the streaming reader for readings. */
    @SuppressWarnings("unchecked")
    static <T extends EventPayload> T bindFully(EventType eventType, JsonNode tree) {
        if (tree == null || tree.isMissingNode()) {
            throw EventException.malformedJson("the event has no data", null);
        }
        List<FieldError> outOfRange = new java.util.ArrayList<>();
        finiteNumbers(tree, "", outOfRange);
        if (!outOfRange.isEmpty()) {
            throw EventException.schemaViolation(eventType.schemaFile(), outOfRange);
        }
        List<FieldError> errors = PayloadValidator.validate(eventType, tree);
        if (!errors.isEmpty()) {
            throw EventException.schemaViolation(eventType.schemaFile(), errors);
        }
        if (eventType == EventType.SENSOR_READINGS) {
            return (T) ReadingsBinding.bind(tree);
        }
        try {
            return (T) EventJson.mapper().treeToValue(tree, eventType.payloadType());
        } catch (ValueInstantiationException e) {
            if (e.getCause() instanceof EventException invalid) {
                throw invalid.under(pointer(e));
            }
            throw EventException.malformedJson(e.getOriginalMessage(), e);
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof EventException invalid) {
                throw invalid.under(parentPointer(e));
            }
            throw EventException.malformedJson(e.getOriginalMessage(), e);
        } catch (JsonProcessingException e) {
            throw EventException.malformedJson(e.getOriginalMessage(), e);
        }
    }

    /**
     * Every number of {@code node} a double can hold (1e9999 is valid JSON but no measurement).
     * The pointer of a member is built only when it is out of range: this walks every value of
     * every event.
     */
    private static void finiteNumbers(JsonNode node, String pointer, List<FieldError> errors) {
        if (node.isObject()) {
            node.fields().forEachRemaining(f -> {
                if (f.getValue().isContainerNode() || !finite(f.getValue())) {
                    finiteNumbers(f.getValue(), pointer + "/" + f.getKey().replace("~", "~0").replace("/", "~1"), errors);
                }
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                JsonNode item = node.get(i);
                if (item.isContainerNode() || !finite(item)) {
                    finiteNumbers(item, pointer + "/" + i, errors);
                }
            }
        } else if (!finite(node)) {
            errors.add(new FieldError(pointer.isEmpty() ? "/" : pointer, "number " + clip(node.asText())
                    + " is out of range (beyond ±1.8e308)", "range"));
        }
    }

    /** True unless {@code node} is a number a double cannot hold. */
    private static boolean finite(JsonNode node) {
        if (!node.isNumber()) {
            return true;
        }
        try {
            return Double.isFinite(node.doubleValue());
        } catch (ArithmeticException | NumberFormatException e) {
            return false;
        }
    }

    private static String clip(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }

    /** Parses JSON into a tree, with the contract's strictness (no NaN, no duplicate keys). */
    public static JsonNode parse(byte[] json) {
        if (json == null || json.length == 0) {
            throw EventException.malformedJson("the payload is empty", null);
        }
        try {
            return EventJson.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw EventException.malformedJson(describe(e), e);
        } catch (NumberFormatException | ArithmeticException e) {
            throw EventException.malformedJson("a number is out of range: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Jackson's message without its advice to reconfigure the parser, plus where it happened. */
    private static String describe(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        int advice = message.indexOf(": enable ");
        if (advice < 0) {
            advice = message.indexOf("; enable ");
        }
        if (advice > 0) {
            message = message.substring(0, advice);
        }
        if (message.contains("'NaN'") || message.contains("Infinity")) {
            message += " (NaN and Infinity are not JSON numbers)";
        }
        if (e.getLocation() != null && e.getLocation().getLineNr() > 0) {
            message += " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        }
        return message;
    }

    /** Pointer to the object being constructed when its constructor threw. */
    private static String pointer(JsonMappingException e) {
        StringBuilder pointer = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                pointer.append('/').append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                pointer.append('/').append(ref.getIndex());
            }
        }
        return pointer.toString();
    }

    /** Pointer to the object that holds the field whose value could not be created (an enum). */
    private static String parentPointer(JsonMappingException e) {
        String full = pointer(e);
        int cut = full.lastIndexOf('/');
        return cut <= 0 ? "" : full.substring(0, cut);
    }
}
