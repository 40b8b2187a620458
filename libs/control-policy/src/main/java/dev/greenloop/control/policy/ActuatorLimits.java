package dev.greenloop.control.policy;

import java.time.Duration;

/**
 * What one actuator may do: its range, the largest change one command may make, how long a
 * setting must stand before it changes again, and the smallest change worth a command
 * (hysteresis; moving to {@code min} or {@code max} is always worth one).
 */
public record ActuatorLimits(double min, double max, double maxStep, Duration minDwell, double minChange) {

    public ActuatorLimits {
        if (!(min < max)) {
            throw new IllegalArgumentException("min " + min + " must be below max " + max);
        }
        if (!(maxStep > 0)) {
            throw new IllegalArgumentException("maxStep must be positive, was " + maxStep);
        }
        if (minDwell == null || minDwell.isNegative()) {
            throw new IllegalArgumentException("minDwell must be zero or positive");
        }
        if (minChange < 0) {
            throw new IllegalArgumentException("minChange must not be negative");
        }
    }

    public double clamp(double value) {
        return Math.max(min, Math.min(max, value));
    }
}
