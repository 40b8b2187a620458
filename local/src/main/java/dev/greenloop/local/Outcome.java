package dev.greenloop.local;

import dev.greenloop.events.payload.ControlCommand;

import java.time.Instant;
import java.util.List;

/**
 * How one run of the live phase kept its crop: share of simulated minutes with the true air
 * temperature in the band (day or night, {@link DemoZones}), degree-hours outside it, heating
 * energy and CO2 dosed (the simulator's units), actuator switches (commands applied) and how
 * many of them were the fallback thermostat's, and the envelope violations among the applied commands (there must be none).
 */
public record Outcome(String greenhouse, String control, int minutes, double inBand, double degreeHoursOutside,
                      double heatingEnergy, double co2Dosed, int switches, int fallbackSwitches,
                      List<String> violations) {

    public Outcome {
        violations = List.copyOf(violations);
    }

    /**
     * @param usageAtStart the gateway's {@link Gateway#usage()} when the live phase began
     */
    public static Outcome of(Gateway gateway, String control, double[] usageAtStart, Instant from, Instant to) {
        int minutes = 0;
        int inBand = 0;
        double outside = 0;
        for (Gateway.Truth t : gateway.truth()) {
            if (t.at().isAfter(from) && !t.at().isAfter(to)) {
                minutes++;
                double off = DemoZones.band(t.at()).outside(t.airTemperature());
                inBand += off == 0 ? 1 : 0;
                outside += off / 60;
            }
        }
        List<ControlCommand> applied = gateway.applied().stream()
                .filter(a -> a.outcome().equals("applied") && a.at().isAfter(from) && !a.at().isAfter(to))
                .map(Gateway.Applied::command).toList();
        double[] usage = gateway.usage();
        return new Outcome(gateway.greenhouseId(), control, minutes, minutes == 0 ? 0 : inBand / (double) minutes, outside,
                usage[0] - usageAtStart[0], usage[1] - usageAtStart[1], applied.size(),
                (int) applied.stream().filter(c -> c.mode().wireName().equals("fallback")).count(),
                DemoZones.violations(applied));
    }
}
