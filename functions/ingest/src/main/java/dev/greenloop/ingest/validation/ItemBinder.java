package dev.greenloop.ingest.validation;

import com.ethlo.time.ITU;
import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.events.EventException;
import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.ActuatorState;
import dev.greenloop.events.payload.Reading;
import dev.greenloop.events.payload.SensorKind;

import java.time.Instant;
import java.time.DateTimeException;

/**
 * Builds payload records from items that passed the JSON Schema, whose members are therefore
 * present and of the right JSON type. The records' constructors still apply their own rules.
 */
final class ItemBinder {

    private ItemBinder() {
    }

    static Reading reading(JsonNode node) {
        return new Reading(SensorKind.fromWire(node.get("sensor").asText()), node.get("value").doubleValue(),
                node.get("unit").asText(), instant(node.get("timestamp").asText()));
    }

    static ActuatorState actuatorState(JsonNode node) {
        return new ActuatorState(ActuatorKind.fromWire(node.get("actuator").asText()), node.get("value").doubleValue(),
                node.get("unit").asText(), instant(node.get("timestamp").asText()));
    }

    /** RFC 3339 with any offset, as the schema's date-time format allows (ITU: a fast, strict parser). */
    private static Instant instant(String text) {
        try {
            return ITU.parseDateTime(text).toInstant();
        } catch (DateTimeException e) {
            throw EventException.invalidField("timestamp", "is not an RFC 3339 date-time");
        }
    }
}
