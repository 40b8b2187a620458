package dev.greenloop.events.payload;

import dev.greenloop.events.EventException;

/**
 * A predicted value of one target at one horizon, with its prediction interval when the model
 * gives one.
 *
 * @param target         the predicted quantity, in its canonical unit
 * @param horizonMinutes how far past the window end the prediction is for
 * @param value          the prediction
 * @param low            the interval's lower bound ({@code low <= value}), or null without an interval
 * @param high           the interval's upper bound ({@code value <= high}), or null without an interval
 */
public record TargetValue(SensorKind target, int horizonMinutes, double value, Double low, Double high) {

    public TargetValue {
        Checks.required("target", target);
        if (horizonMinutes < 1 || horizonMinutes > 24 * 60) {
            throw EventException.invalidField("horizonMinutes", "must be between 1 and 1440");
        }
        Checks.finite("value", value);
        if ((low == null) != (high == null)) {
            throw EventException.invalidField(low == null ? "low" : "high", "an interval needs both low and high");
        }
        if (low != null) {
            Checks.finite("low", low);
            Checks.finite("high", high);
            if (!(low <= value && value <= high)) {
                throw EventException.invalidField("low", "the interval " + low + "–" + high + " must hold the value " + value);
            }
        }
    }

    /** A value without an interval. */
    public TargetValue(SensorKind target, int horizonMinutes, double value) {
        this(target, horizonMinutes, value, null, null);
    }

    public boolean hasInterval() {
        return low != null;
    }
}
