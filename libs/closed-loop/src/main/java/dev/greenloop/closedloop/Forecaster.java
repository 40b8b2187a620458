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
}
