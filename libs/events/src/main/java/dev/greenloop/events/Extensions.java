package dev.greenloop.events;

/**
 * Names of the CloudEvents extension attributes greenloop sets on every event.
 *
 * <p>CloudEvents attribute names are lower-case alphanumerics only. {@link #CAUSATION_ID} is the
 * id of the event that caused this one; following it from a control command leads back through
 * the prediction and the feature window to the readings.
 */
public final class Extensions {

    /** Id of the event that caused this one. Absent only on events that start a chain. */
    public static final String CAUSATION_ID = "causationid";
    /** The greenhouse the event concerns. */
    public static final String GREENHOUSE_ID = "greenhouseid";
    /** The zone the event concerns, where it concerns one zone. */
    public static final String ZONE_ID = "zoneid";
    /** W3C trace context, carried unchanged from the causing event. */
    public static final String TRACEPARENT = "traceparent";
    /** W3C trace state, carried unchanged from the causing event. */
    public static final String TRACESTATE = "tracestate";
    /**
     * {@code true} on readings that a device sent in backfill mode: history imported on purpose.
     * The streaming path leaves such events alone (no online features, no predictions); the
     * offline path counts every reading they carry, whatever the zone's watermark. Absent on live
     * readings.
     */
    public static final String BACKFILL = "backfill";

    /** Whether {@code extensions} mark the event as backfill. */
    public static boolean isBackfill(java.util.function.Function<String, Object> extensions) {
        Object v = extensions.apply(BACKFILL);
        return v != null && "true".equalsIgnoreCase(v.toString());
    }

    private Extensions() {
    }
}
