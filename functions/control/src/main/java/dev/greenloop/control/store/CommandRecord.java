package dev.greenloop.control.store;

import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.CommandMode;

import java.time.Instant;
import java.util.List;

/**
 * A command in the audit trail ({@code control_commands}, {@code _id} = command id) with its
 * chain: the event that caused it (a prediction, or the periodic check), the prediction's model,
 * and the feature window with the reading events it was built from. {@code payload} is the
 * signed command's JSON exactly as published, so that a command reserved but not yet published
 * (control stopped in between) is published later with the same bytes, not signed again.
 *
 * @param status {@code pending} (reserved, not yet on Kafka), {@code sent}, or {@code superseded} (its decision lost
 *               the compare-and-set on the zone and was made again: never published)
 */
public record CommandRecord(String commandId, String greenhouseId, String zoneId, ActuatorKind actuator, double from,
                            double value, CommandMode mode, String reason, Instant issuedAt, Instant expiresAt,
                            String keyId, String status, Cause cause, PredictionRef prediction, WindowRef window,
                            String payload, Ack ack) {

    public static final String PENDING = "pending";
    public static final String SENT = "sent";
    /** Reserved by a decision that lost the compare-and-set on the zone's state: never published. */
    public static final String SUPERSEDED = "superseded";

    /** The event that made control decide: its id, type and trace. */
    public record Cause(String eventId, String type, String traceparent) {
    }

    /** The prediction a command follows from. */
    public record PredictionRef(String eventId, String modelName, String modelVersion, String featureSpecVersion,
                                String windowId, Instant windowEnd, boolean usable) {
    }

    /** The feature window behind the decision and the reading events stored in it. */
    public record WindowRef(String windowId, Instant windowStart, Instant windowEnd, List<String> readingEventIds) {

        public WindowRef {
            readingEventIds = List.copyOf(readingEventIds);
        }
    }

    /** A gateway's signed acknowledgement. */
    public record Ack(String status, Instant ackedAt, Instant receivedAt, String keyId) {
    }

    public boolean sent() {
        return SENT.equals(status);
    }
}
