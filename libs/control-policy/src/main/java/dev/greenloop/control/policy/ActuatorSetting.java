package dev.greenloop.control.policy;

import java.time.Instant;

/** An actuator's current setting and when it last changed ({@code null}: unknown, no dwell). */
public record ActuatorSetting(double value, Instant changedAt) {
}
