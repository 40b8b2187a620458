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

    private Extensions() {
    }
}
