package dev.greenloop.ingest.auth;

import java.util.List;

/**
 * A registered device: the greenhouse it belongs to, the zones it may report for, and whether it
 * may send history in backfill mode (an importer's identity, not a live gateway's).
 */
public record Device(String id, String greenhouseId, List<String> zones, boolean mayBackfill) {

    public Device {
        zones = List.copyOf(zones);
    }

    /** A live device: no backfill. */
    public Device(String id, String greenhouseId, List<String> zones) {
        this(id, greenhouseId, zones, false);
    }

    public boolean mayReportFor(String zoneId) {
        return zones.contains(zoneId);
    }
}
