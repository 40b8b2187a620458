package dev.greenloop.events.json;

import com.ethlo.time.ITU;
import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.events.EventException;
import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.ActuatorState;
import dev.greenloop.events.payload.Reading;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.events.payload.SensorKind;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Binds a readings batch that passed its JSON Schema (so every member is present and of the
 * right JSON type) by hand: readings are the contract's volume, and a databind round trip per
 * reading costs several times the schema validation. The records still apply their own rules;
 * their errors are reported under the item's pointer.
 */
public final class ReadingsBinding {

    private ReadingsBinding() {
    }

    public static ReadingsBatch bind(JsonNode tree) {
        List<Reading> readings = new ArrayList<>(tree.path("readings").size());
        JsonNode items = tree.path("readings");
        for (int i = 0; i < items.size(); i++) {
            try {
                readings.add(reading(items.get(i)));
            } catch (EventException e) {
                throw e.under("/readings/" + i);
            }
        }
        List<ActuatorState> actuators = new ArrayList<>(tree.path("actuators").size());
        items = tree.path("actuators");
        for (int i = 0; i < items.size(); i++) {
            try {
                actuators.add(actuatorState(items.get(i)));
            } catch (EventException e) {
                throw e.under("/actuators/" + i);
            }
        }
        return new ReadingsBatch(tree.get("greenhouseId").asText(), tree.get("zoneId").asText(),
                tree.get("deviceId").asText(), readings, actuators);
    }

    public static Reading reading(JsonNode node) {
        return new Reading(SensorKind.fromWire(node.get("sensor").asText()), node.get("value").doubleValue(),
                node.get("unit").asText(), instant(node.get("timestamp").asText()));
    }

    public static ActuatorState actuatorState(JsonNode node) {
        return new ActuatorState(ActuatorKind.fromWire(node.get("actuator").asText()), node.get("value").doubleValue(),
                node.get("unit").asText(), instant(node.get("timestamp").asText()));
    }

    /** RFC 3339 with any offset, as the schema's date-time format allows. */
    public static Instant instant(String text) {
        try {
            return ITU.parseDateTime(text).toInstant();
        } catch (DateTimeException e) {
            throw EventException.invalidField("timestamp", "is not an RFC 3339 date-time");
        }
    }
}
