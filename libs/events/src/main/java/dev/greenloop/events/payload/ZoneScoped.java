package dev.greenloop.events.payload;

/** A payload that concerns one zone. */
public interface ZoneScoped {

    /** The zone; {@code null} only where the payload documents it (drift over a greenhouse). */
    String zoneId();
}
