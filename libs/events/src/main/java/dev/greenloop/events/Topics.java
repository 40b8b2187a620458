package dev.greenloop.events;

/** Kafka topics that are part of the contract (as opposed to Broker-internal topics). */
public final class Topics {

    /** Accepted readings batches, key {@code greenhouseId/zoneId}, CloudEvents in binary mode. */
    public static final String READINGS = "greenhouse.readings";
    /** Well-formed but implausible readings, kept with the reason they were set aside. */
    public static final String READINGS_QUARANTINE = "greenhouse.readings.quarantine";
    /** Signed actuator commands, key {@code greenhouseId/zoneId}. */
    public static final String COMMANDS = "greenhouse.commands";

    private Topics() {
    }

    /** The record key that keeps one zone's events in order: {@code greenhouseId/zoneId}. */
    public static String zoneKey(String greenhouseId, String zoneId) {
        return greenhouseId + "/" + zoneId;
    }
}
