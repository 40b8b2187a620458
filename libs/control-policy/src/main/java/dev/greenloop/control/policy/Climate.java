package dev.greenloop.control.policy;

/**
 * The zone's measured climate (latest values from the online feature store); a null value was
 * not measured. {@code airTemperature}, {@code relativeHumidity} and {@code co2} may also be
 * predicted values, when the policy is given a prediction.
 */
public record Climate(Double airTemperature, Double relativeHumidity, Double co2, Double par, Double globalRadiation,
                      Double outsideTemperature) {

    public boolean lit(ZoneSettings s) {
        return (par != null && par >= s.lightPar()) || (globalRadiation != null && globalRadiation >= s.lightRadiation());
    }
}
