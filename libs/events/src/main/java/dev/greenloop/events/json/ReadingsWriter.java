package dev.greenloop.events.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.greenloop.events.payload.ActuatorState;
import dev.greenloop.events.payload.Reading;
import dev.greenloop.events.payload.ReadingsBatch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * Writes a readings batch with the streaming generator, byte for byte as the mapper's bean
 * serialiser does ({@code ReadingsWriterTest} compares the two), and formats each distinct time
 * once: the items of a record mostly share a few times. Readings are the contract's volume;
 * ingest writes every one it accepts. Thread-safe.
 */
final class ReadingsWriter {

    private ReadingsWriter() {
    }

    static byte[] write(ReadingsBatch batch) {
        ByteArrayBuilder out = new ByteArrayBuilder(128 + 96 * batch.size());
        try (JsonGenerator g = EventJson.mapper().getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("greenhouseId", batch.greenhouseId());
            g.writeStringField("zoneId", batch.zoneId());
            g.writeStringField("deviceId", batch.deviceId());
            Times times = new Times();
            g.writeArrayFieldStart("readings");
            for (Reading r : batch.readings()) {
                item(g, "sensor", r.sensor().wireName(), r.value(), r.unit(), times.text(r.timestamp()));
            }
            g.writeEndArray();
            g.writeArrayFieldStart("actuators");
            for (ActuatorState a : batch.actuators()) {
                item(g, "actuator", a.actuator().wireName(), a.value(), a.unit(), times.text(a.timestamp()));
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot serialise a readings batch", e);
        }
        return out.toByteArray();
    }

    private static void item(JsonGenerator g, String kindField, String kind, double value, String unit, String time)
            throws IOException {
        g.writeStartObject();
        g.writeStringField(kindField, kind);
        g.writeNumberField("value", value);
        g.writeStringField("unit", unit);
        g.writeStringField("timestamp", time);
        g.writeEndObject();
    }

    /** The ISO-8601 text of the last time formatted, kept for the next item. */
    private static final class Times {
        private Instant last;
        private String text;

        String text(Instant time) {
            if (!time.equals(last)) {
                last = time;
                text = time.toString();
            }
            return text;
        }
    }
}
