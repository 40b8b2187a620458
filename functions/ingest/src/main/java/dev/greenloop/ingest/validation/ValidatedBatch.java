package dev.greenloop.ingest.validation;

import dev.greenloop.events.payload.ActuatorState;
import dev.greenloop.events.payload.Reading;
import dev.greenloop.ingest.IngestException.ItemError;

import java.util.List;

/**
 * The outcome of validating one batch, item by item.
 *
 * @param readings    accepted readings, in canonical units, in request order
 * @param actuators   accepted actuator states, in canonical units
 * @param quarantined well-formed readings that look wrong (implausible value, spike), with why
 * @param rejected    items that cannot be accepted, with why
 * @param duplicates  exact repeats of an earlier item of the same batch, dropped
 */
public record ValidatedBatch(String greenhouseId, String zoneId, String deviceId,
                             List<Reading> readings, List<ActuatorState> actuators,
                             List<Quarantined> quarantined, List<ItemError> rejected, int duplicates) {

    /** A reading set aside, and why ({@code code}: {@code implausible} or {@code spike}). */
    public record Quarantined(String pointer, Reading reading, String code, String reason) {
    }

    public boolean hasAccepted() {
        return !readings.isEmpty() || !actuators.isEmpty();
    }
}
