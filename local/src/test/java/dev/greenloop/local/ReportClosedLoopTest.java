package dev.greenloop.local;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ReportClosedLoopTest {

    @Test
    void aPromotionSaysHowItDidInTheClosedLoopAgainstWhatItWasComparedWith() {
        assertThat(Report.closedLoop(Map.of("closed_loop_days", 2.0, "closed_loop_candidate_in_band", 0.761,
                "closed_loop_candidate_heating_energy", 1580.2, "closed_loop_thermostat_in_band", 0.544,
                "closed_loop_thermostat_heating_energy", 1086.0)))
                .isEqualTo("; closed loop over 2 simulated day(s): 76.1 % in band, heating 1580 (the thermostat: 54.4 %, 1086)");
        assertThat(Report.closedLoop(Map.of("closed_loop_days", 1.0, "closed_loop_candidate_in_band", 0.5,
                "closed_loop_candidate_heating_energy", 10.0, "closed_loop_champion_in_band", 0.4,
                "closed_loop_champion_heating_energy", 12.0, "closed_loop_thermostat_in_band", 0.3)))
                .contains("(the champion: 40.0 %, 12)");
        assertThat(Report.closedLoop(Map.of("mae_air_temperature", 0.3))).isEmpty();
    }
}
