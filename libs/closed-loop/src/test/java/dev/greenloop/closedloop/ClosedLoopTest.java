package dev.greenloop.closedloop;

import dev.greenloop.control.policy.ZoneSettings;
import dev.greenloop.control.policy.ZoneSettingsDocument;
import dev.greenloop.events.payload.SensorKind;
import dev.greenloop.features.FeatureSpec;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.DoubleUnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

class ClosedLoopTest {

    /** A warmer crop than the simulator's climate computer keeps, so that control takes over. */
    static final ZoneSettings WARM = ZoneSettingsDocument.parse("gh/zone", new Document("dayTemperature",
            new Document("low", 22).append("high", 26)).append("nightTemperature", new Document("low", 18.5).append("high", 21))
            .append("dayStartHour", 6).append("dayEndHour", 20));
    static final ClosedLoop.Setup DAY = new ClosedLoop.Setup("gh-gate", Map.of("zone-a", WARM), Instant.parse("2026-05-02T00:00:00Z"),
            Duration.ofHours(12), Duration.ofHours(2), 7, null);

    private final ClosedLoop loop = new ClosedLoop(FeatureSpec.V1);

    /** Forecasts the measured air temperature changed by {@code f}. */
    private static Forecaster shifted(String name, DoubleUnaryOperator f) {
        int air = FeatureSpec.V1.names().indexOf("air_temperature_last");
        return new Forecaster() {
            public String name() {
                return name;
            }

            public int horizonMinutes() {
                return 15;
            }

            public Map<SensorKind, Double> forecast(double[] features) {
                return Map.of(SensorKind.AIR_TEMPERATURE, f.applyAsDouble(features[air]));
            }
        };
    }

    @Test
    void theThermostatDecidesEveryMinuteWithinTheEnvelopeAndTheSameSetupGivesTheSameFigures() {
        Figures first = loop.run(DAY, Optional.empty());
        assertThat(first.minutes()).isEqualTo(12 * 60);
        assertThat(first.fallbackDecisions()).isEqualTo(12 * 60);
        assertThat(first.predictiveDecisions()).isZero();
        assertThat(first.switches()).isPositive();
        assertThat(first.violations()).isZero();
        assertThat(first.inBand()).isBetween(0.0, 1.0);
        assertThat(first.heatingEnergy()).isPositive();
        assertThat(loop.run(DAY, Optional.empty())).isEqualTo(first);
    }

    @Test
    void aForecastOfColdHeatsMoreThanTheThermostatAndAnImplausibleOneFallsBack() {
        Figures thermostat = loop.run(DAY, Optional.empty());
        Figures cold = loop.run(DAY, Optional.of(shifted("always 3 °C colder", t -> t - 3)));
        assertThat(cold.predictiveDecisions()).isEqualTo(12 * 60);
        assertThat(cold.heatingEnergy()).isGreaterThan(thermostat.heatingEnergy() * 1.1);
        assertThat(cold.violations()).isZero();

        Figures wild = loop.run(DAY, Optional.of(shifted("20 °C off", t -> t + 20)));
        assertThat(wild.predictiveDecisions()).isZero();
        assertThat(wild.fallbackDecisions()).isEqualTo(12 * 60);
        assertThat(wild.inBand()).isEqualTo(thermostat.inBand());
        assertThat(wild.heatingEnergy()).isEqualTo(thermostat.heatingEnergy());
    }

    /** A model that forecasts CO2 alone: its forecasts are used, and the temperature is steered as the thermostat does. */
    @Test
    void aForecastWithoutAirTemperatureIsUsedAndTheTemperatureFollowsTheThermostatsRule() {
        int co2 = FeatureSpec.V1.names().indexOf("co2_last");
        Forecaster co2Only = new Forecaster() {
            public String name() {
                return "CO2 only";
            }

            public int horizonMinutes() {
                return 15;
            }

            public Map<SensorKind, Double> forecast(double[] features) {
                return Double.isNaN(features[co2]) ? Map.of() : Map.of(SensorKind.CO2, features[co2]);
            }
        };
        Figures thermostat = loop.run(DAY, Optional.empty());
        Figures figures = loop.run(DAY, Optional.of(co2Only));
        assertThat(figures.predictiveDecisions()).isEqualTo(12 * 60);
        assertThat(figures.violations()).isZero();
        assertThat(figures.heatingEnergy()).isEqualTo(thermostat.heatingEnergy());
    }

    /** As control: an interval reaching below the band heats on its low bound, so the loop heats more. */
    @Test
    void anIntervalThatReachesBelowTheBandHeatsMoreThanItsValueAlone() {
        int air = FeatureSpec.V1.names().indexOf("air_temperature_last");
        Forecaster same = shifted("the measured value", t -> t);
        Forecaster bounded = new Forecaster() {
            public String name() {
                return "the measured value, 3 °C below at worst";
            }

            public int horizonMinutes() {
                return 15;
            }

            public Map<SensorKind, Double> forecast(double[] features) {
                return same.forecast(features);
            }

            @Override
            public Forecast forecastWithIntervals(double[] features) {
                double t = features[air];
                return new Forecast(forecast(features), Map.of(SensorKind.AIR_TEMPERATURE,
                        new dev.greenloop.control.policy.Policy.Interval(t - 3, t + 0.1)));
            }
        };
        Figures plain = loop.run(DAY, Optional.of(same));
        Figures pessimistic = loop.run(DAY, Optional.of(bounded));
        assertThat(pessimistic.predictiveDecisions()).isEqualTo(12 * 60);
        assertThat(pessimistic.heatingEnergy()).isGreaterThan(plain.heatingEnergy());
        assertThat(pessimistic.violations()).isZero();
    }

    @Test
    void figuresBecomeNamedMetrics() {
        Figures f = new Figures("x", 10, 0.5, 1.25, 100, 3, 4, 6, 4, 0);
        assertThat(f.metrics("closed_loop_candidate_")).containsEntry("closed_loop_candidate_in_band", 0.5)
                .containsEntry("closed_loop_candidate_heating_energy", 100.0).containsEntry("closed_loop_candidate_violations", 0.0)
                .hasSize(8);
        assertThat(f.summary()).contains("50.0 % in band").contains("1.3 °C·h");
    }
}
