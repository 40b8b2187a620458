package dev.greenloop.preprocess.archive;

import com.ethlo.time.ITU;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.greenloop.events.EventException;
import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.SensorKind;

import java.io.IOException;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Decodes a readings batch straight into archive rows with a streaming parser: at archive volume,
 * building a JSON tree and payload records per event costs more than writing the Parquet. It
 * checks what a row needs (known sensor or actuator, finite value, RFC 3339 time, the ids) and
 * throws {@link EventException} otherwise; the topic holds what ingest validated in full.
 */
final class RawRowDecoder {

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER).build();

    private RawRowDecoder() {
    }

    /** One item before the batch's ids are known (they may come after the lists). */
    private record Item(String kind, String name, double value, String unit, long timestamp) {
    }

    static void decode(byte[] json, String eventId, int partition, long offset, boolean backfill, Consumer<RawRow> out)
            throws IOException {
        String greenhouse = null;
        String zone = null;
        String device = null;
        List<Item> items = new ArrayList<>(128);
        LastTime lastTime = new LastTime();
        try (JsonParser p = JSON.createParser(json)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "greenhouseId" -> greenhouse = text(p, value, field);
                    case "zoneId" -> zone = text(p, value, field);
                    case "deviceId" -> device = text(p, value, field);
                    case "readings" -> items(p, value, "sensor", items, lastTime);
                    case "actuators" -> items(p, value, "actuator", items, lastTime);
                    default -> p.skipChildren();
                }
            }
        }
        if (greenhouse == null || zone == null || device == null) {
            throw EventException.invalidField("greenhouseId", "greenhouseId, zoneId and deviceId are required");
        }
        int index = 0;
        for (Item item : items) {
            out.accept(new RawRow(eventId, greenhouse, zone, device, item.kind, item.name, item.value, item.unit,
                    item.timestamp, partition, offset, index++, backfill));
        }
    }

    /** The last time parsed and its value: the items of one instant repeat the same time. */
    private static final class LastTime {
        String text;
        long millis;

        long parse(String time) {
            if (!time.equals(text)) {
                try {
                    millis = ITU.parseDateTime(time).toInstant().toEpochMilli();
                } catch (DateTimeException e) {
                    throw EventException.invalidField("timestamp", "is not an RFC 3339 date-time");
                }
                text = time;
            }
            return millis;
        }
    }

    private static void items(JsonParser p, JsonToken token, String kind, List<Item> items, LastTime lastTime)
            throws IOException {
        expect(token, JsonToken.START_ARRAY);
        String nameField = kind.equals("sensor") ? "sensor" : "actuator";
        while (p.nextToken() == JsonToken.START_OBJECT) {
            String name = null;
            String unit = null;
            String time = null;
            double value = Double.NaN;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                if (field.equals(nameField)) {
                    name = text(p, v, field);
                } else if (field.equals("value")) {
                    if (!v.isNumeric()) {
                        throw EventException.invalidField("value", "must be a number");
                    }
                    value = p.getDoubleValue();
                } else if (field.equals("unit")) {
                    unit = text(p, v, field);
                } else if (field.equals("timestamp")) {
                    time = text(p, v, field);
                } else {
                    p.skipChildren();
                }
            }
            if (name == null || unit == null || time == null || !Double.isFinite(value)) {
                throw EventException.invalidField(kind, "needs " + nameField + ", a finite value, unit and timestamp");
            }
            // Unknown kinds throw here, as the payload records would.
            String wire = kind.equals("sensor") ? SensorKind.fromWire(name).wireName() : ActuatorKind.fromWire(name).wireName();
            items.add(new Item(kind, wire, value, unit, lastTime.parse(time)));
        }
    }

    private static String text(JsonParser p, JsonToken token, String field) throws IOException {
        if (token != JsonToken.VALUE_STRING) {
            throw EventException.invalidField(field, "must be a string");
        }
        return p.getText();
    }

    private static void expect(JsonToken actual, JsonToken expected) {
        if (actual != expected) {
            throw EventException.malformedJson("expected " + expected + " but found " + actual, null);
        }
    }
}
