package dev.greenloop.closedloop;

import dev.greenloop.events.payload.SensorKind;

import java.util.Map;

/** What a model says a zone's climate will be {@link #horizonMinutes()} after a window, from its features. */
public interface Forecaster {

    /** How the run is named in figures and logs, e.g. {@code greenloop-gh-1 v3}. */
    String name();

    int horizonMinutes();

    /**
     * @param features the window's feature vector (the feature spec's order, NaN where missing)
     * @return per target the model serves, its forecast; control uses measured values for the others
     */
    Map<SensorKind, Double> forecast(double[] features);

    /** A forecast's values and, for the targets the model gives one, their prediction intervals. */
    record Forecast(Map<SensorKind, Double> values, Map<SensorKind, dev.greenloop.control.policy.Policy.Interval> intervals) {
    }

    /** The values with their intervals; a model without intervals gives none. */
    default Forecast forecastWithIntervals(double[] features) {
        return new Forecast(forecast(features), Map.of());
    }
}
