package dev.greenloop.features;

import java.time.Duration;

/**
 * When a zone's window closes and which readings come too late for it. The zone's watermark is
 * the latest reading time seen so far. A window closes once the watermark passes its end by the
 * allowed lateness; a reading that arrives when its window has closed already is late: it stays
 * in the raw archive but in no feature, online or offline. Both paths apply these rules to the
 * readings in the order Kafka holds them, so they agree on which readings count.
 *
 * <p>Lateness is judged per event against the watermark before it, never within one event. ingest
 * writes the records of one request in time order (it splits a large request by time, never by
 * kind), so nothing a request carries is late against another part of the same request; across
 * requests, a zone's readings and actuator states must arrive within the allowed lateness of the
 * newest the zone has sent. History older than that is imported in backfill mode, which the
 * streaming path leaves alone and the offline path counts in full
 * ({@link OfflineFeatures#counted(java.util.List, java.util.List)}).
 */
public final class Lateness {

    private final FeatureSpec spec;
    private final long allowedMillis;

    public Lateness(FeatureSpec spec, Duration allowed) {
        this.spec = spec;
        this.allowedMillis = allowed.toMillis();
    }

    public Duration allowed() {
        return Duration.ofMillis(allowedMillis);
    }

    /** Whether a reading at {@code epochMillis} is late, given the watermark before its event. */
    public boolean isLate(long epochMillis, long watermarkBefore) {
        return watermarkBefore != Long.MIN_VALUE
                && spec.windowStart(epochMillis) + spec.windowMillis() + allowedMillis <= watermarkBefore;
    }

    /** Start of the last window closed at {@code watermark}, or {@code Long.MIN_VALUE} for none. */
    public long lastClosedWindow(long watermark) {
        if (watermark == Long.MIN_VALUE) {
            return Long.MIN_VALUE;
        }
        // Window [s, s + w) is closed when s + w + allowed <= watermark.
        return spec.windowStart(watermark - allowedMillis - spec.windowMillis());
    }
}
