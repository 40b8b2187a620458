package dev.greenloop.control.policy;

import dev.greenloop.events.payload.ActuatorKind;

import java.util.List;

/** One actuator moving from {@code from} to {@code to}, why, and what the envelope changed on the way. */
public record Change(ActuatorKind actuator, double from, double to, String reason, List<String> limitedBy) {

    public Change {
        limitedBy = List.copyOf(limitedBy);
    }

    /** The reason with the envelope's notes, as the command carries it. */
    public String describe() {
        String text = limitedBy.isEmpty() ? reason : reason + "; " + String.join(", ", limitedBy);
        return text.length() > 256 ? text.substring(0, 253) + "..." : text;
    }
}
