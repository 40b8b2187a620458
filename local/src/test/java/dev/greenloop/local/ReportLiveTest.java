package dev.greenloop.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The report's realised accuracy, summed from monitor's hourly rows: MAE and live interval coverage, weighted. */
class ReportLiveTest {

    @Test
    void liveCoverageIsWeightedByThePredictionsThatHadAnInterval() throws Exception {
        var accuracy = new ObjectMapper().readTree("""
                {"hours": [
                  {"role": "champion", "target": "air_temperature", "modelVersion": "2", "count": 10, "expired": 1,
                   "mae": 0.2, "persistenceMae": 0.4, "withInterval": 10, "coverage": 0.9},
                  {"role": "champion", "target": "air_temperature", "modelVersion": "2", "count": 30, "expired": 0,
                   "mae": 0.1, "persistenceMae": 0.2, "withInterval": 30, "coverage": 0.7},
                  {"role": "champion", "target": "air_temperature", "modelVersion": "1", "count": 5, "expired": 0,
                   "mae": 0.3, "persistenceMae": 0.3, "withInterval": 0},
                  {"role": "challenger", "target": "air_temperature", "modelVersion": "3", "count": 50, "expired": 0,
                   "mae": 0.1, "persistenceMae": 0.3, "withInterval": 50, "coverage": 0.1}
                ]}""");

        Map<String, Report.Live> byVersion = Report.Live.byVersion(accuracy);

        assertThat(byVersion).containsOnlyKeys("1", "2");
        Report.Live two = byVersion.get("2");
        assertThat(two.scored()).isEqualTo(40);
        assertThat(two.mae()).isCloseTo(0.125, within(1e-12));
        assertThat(two.coverage()).isCloseTo(0.75, within(1e-12));
        assertThat(byVersion.get("1").coverage()).isNull();
        assertThat(Report.Live.of(accuracy).coverage()).isCloseTo(0.75, within(1e-12));
    }
}
