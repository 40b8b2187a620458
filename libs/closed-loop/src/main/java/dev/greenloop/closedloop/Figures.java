package dev.greenloop.closedloop;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How one closed-loop run kept its crop, over the judged minutes of every zone: the share of
 * minutes with the true air temperature in the zone's band (day or night), degree-hours outside
 * it, heating energy and CO2 dosed (the simulator's units, summed over zones), actuator switches
 * (commands applied), decisions made on a forecast and by the fallback thermostat, and commands
 * that broke the envelope (there must be none).
 */
public record Figures(String control, int minutes, double inBand, double degreeHoursOutside, double heatingEnergy,
                      double co2Dosed, int switches, int predictiveDecisions, int fallbackDecisions, int violations) {

    /** The figures as MLflow metrics, each name prefixed (e.g. {@code closed_loop_candidate_}). */
    public Map<String, Double> metrics(String prefix) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(prefix + "in_band", inBand);
        m.put(prefix + "degree_hours_outside", degreeHoursOutside);
        m.put(prefix + "heating_energy", heatingEnergy);
        m.put(prefix + "co2_dosed", co2Dosed);
        m.put(prefix + "switches", (double) switches);
        m.put(prefix + "predictive_decisions", (double) predictiveDecisions);
        m.put(prefix + "fallback_decisions", (double) fallbackDecisions);
        m.put(prefix + "violations", (double) violations);
        return m;
    }

    /** The figures a grower reads first, for logs and the gate's reasons (without the run's name). */
    public String summary() {
        return String.format(Locale.ROOT, "%.1f %% in band, %.1f °C·h outside, heating %.0f, %d switches",
                100 * inBand, degreeHoursOutside, heatingEnergy, switches);
    }
}
