package dev.greenloop.ingest.auth;

import java.util.List;

/**
 * A registered device: the greenhouse it belongs to and the zones it may report for.
 */
public record Device(String id, String greenhouseId, List<String> zones) {

    public Device {
        zones = List.copyOf(zones);
    }

    public boolean mayReportFor(String zoneId) {
        return zones.contains(zoneId);
    }
}
