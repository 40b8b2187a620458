package dev.greenloop.events.payload;

import dev.greenloop.events.EventException;

/**
 * A predicted value of one target at one horizon.
 *
 * @param target         the predicted quantity, in its canonical unit
 * @param horizonMinutes how far past the window end the prediction is for
 */
public record TargetValue(SensorKind target, int horizonMinutes, double value) {

    public TargetValue {
        Checks.required("target", target);
        if (horizonMinutes < 1 || horizonMinutes > 24 * 60) {
            throw EventException.invalidField("horizonMinutes", "must be between 1 and 1440");
        }
        Checks.finite("value", value);
    }
}
