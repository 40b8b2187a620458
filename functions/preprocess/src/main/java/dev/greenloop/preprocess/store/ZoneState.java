package dev.greenloop.preprocess.store;

/**
 * What preprocess remembers of a zone between events.
 *
 * @param watermark   latest reading time seen (epoch millis), {@code Long.MIN_VALUE} if none
 * @param lastEmitted start of the last window whose features were emitted, or {@code Long.MIN_VALUE}
 */
public record ZoneState(long watermark, long lastEmitted) {

    public static final ZoneState NEW = new ZoneState(Long.MIN_VALUE, Long.MIN_VALUE);
}
