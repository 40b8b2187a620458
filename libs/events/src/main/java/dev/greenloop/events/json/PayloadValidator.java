package dev.greenloop.events.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import dev.greenloop.events.EventType;
import dev.greenloop.events.FieldError;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Validates a payload against its JSON Schema and reports every error with its JSON pointer.
 * This is the one place schema validation happens; {@link PayloadCodec} calls it on every read
 * that its streaming readers for readings and windows leave to it (all but the plain ones).
 *
 * <p>Schemas are loaded from the classpath once, at class initialisation; validation is
 * thread-safe and does no I/O.
 */
public final class PayloadValidator {

    private static final Map<EventType, Schema> SCHEMAS = load();

    private PayloadValidator() {
    }

    /** Every schema violation of {@code payload} as an {@code eventType} payload; empty if valid. */
    public static List<FieldError> validate(EventType eventType, JsonNode payload) {
        List<Error> errors = SCHEMAS.get(eventType).validate(payload);
        List<FieldError> result = new ArrayList<>(errors.size());
        for (Error error : errors) {
            result.add(new FieldError(pointer(error), message(error), error.getKeyword() == null ? "schema" : error.getKeyword()));
        }
        return result;
    }

    private static String pointer(Error error) {
        String location = error.getInstanceLocation().toString();
        // "required" is reported on the parent object; point at the missing member instead.
        if ("required".equals(error.getKeyword()) && error.getProperty() != null) {
            return location + "/" + escape(error.getProperty());
        }
        return location;
    }

    private static String message(Error error) {
        String message = error.getMessage();
        // The library prefixes messages with the instance location, which the pointer already carries.
        String location = error.getInstanceLocation().toString();
        if (message.startsWith(location + ": ")) {
            message = message.substring(location.length() + 2);
        }
        return message;
    }

    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static Map<EventType, Schema> load() {
        SchemaRegistryConfig config = SchemaRegistryConfig.builder()
                .pathType(PathType.JSON_POINTER)
                .formatAssertionsEnabled(true)
                .build();
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                builder -> builder
                        .schemaRegistryConfig(config)
                        .schemaIdResolvers(resolvers -> resolvers.mapPrefix(EventType.SCHEMA_BASE, "classpath:schemas/")));
        Map<EventType, Schema> schemas = new EnumMap<>(EventType.class);
        for (EventType type : EventType.values()) {
            Schema schema = registry.getSchema(SchemaLocation.of(type.dataSchema().toString()));
            schema.initializeValidators();
            schemas.put(type, schema);
        }
        return schemas;
    }
}
