package dev.greenloop.trainlauncher;

import dev.greenloop.trainlauncher.promote.PromotionGate;
import dev.greenloop.trainlauncher.promote.PromotionGate.Decision;
import dev.greenloop.trainlauncher.promote.PromotionGate.Served;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-target gate's decisions on a run's metrics and the targets each version serves. */
class PromotionGateTest {

    private static final String AIR = "air_temperature";
    private static final String RH = "relative_humidity";
    private static final String CO2 = "co2";
    private final PromotionGate gate = new PromotionGate(List.of(AIR, RH, CO2), 0.1);

    /** A run's metrics: test MAE per target against persistence 1.0 (air), 2.0 (RH), 40 (CO2). */
    private static Map<String, Double> run(double air, double rh, double co2) {
        Map<String, Double> m = new HashMap<>(Map.of("onnx_parity", 1.0, "mae_air_temperature", air,
                "mae_persistence_air_temperature", 1.0, "mae_relative_humidity", rh, "mae_persistence_relative_humidity", 2.0,
                "mae_co2", co2, "mae_persistence_co2", 40.0));
        return m;
    }

    /** The same run with champion version {@code version} evaluated on its test split. */
    private static Map<String, Double> against(Map<String, Double> m, String version, double air, double rh, double co2) {
        m.put("champion_version", Double.valueOf(version));
        m.put("champion_mae_air_temperature", air);
        m.put("champion_mae_relative_humidity", rh);
        m.put("champion_mae_co2", co2);
        return m;
    }

    @Test
    void aFirstVersionServingSomeTargetsIsPromotedAndTheReasonNamesTheOthers() {
        Decision d = gate.decide(run(0.7, 1.95, 41), List.of(AIR), Optional.empty());

        assertThat(d.promote()).isTrue();
        assertThat(d.reason()).startsWith("serves air_temperature MAE 0.700 is 30% below persistence 1.000")
                .contains("not relative_humidity (MAE 1.950, persistence 2.000): control decides on its measured value")
                .contains("not co2 (MAE 41.000, persistence 40.000)")
                .endsWith("there was no champion");
    }

    @Test
    void aVersionServingATargetThatDoesNotBeatPersistenceOrServingNothingIsRefused() {
        Decision weak = gate.decide(run(0.7, 1.95, 20), List.of(AIR, RH), Optional.empty());
        assertThat(weak.promote()).isFalse();
        assertThat(weak.reason()).isEqualTo("relative_humidity MAE 1.950 is not 10% below persistence 2.000");

        Decision none = gate.decide(run(0.7, 1.0, 20), List.of(), Optional.empty());
        assertThat(none.promote()).isFalse();
        assertThat(none.reason()).isEqualTo("the version serves no target");

        Map<String, Double> noParity = run(0.7, 1.0, 20);
        noParity.remove("onnx_parity");
        assertThat(gate.decide(noParity, List.of(AIR), Optional.empty()).promote()).isFalse();
    }

    @Test
    void aVersionWithoutATargetsTagIsTakenToServeEveryConfiguredTarget() {
        assertThat(gate.served(Map.of())).containsExactly(AIR, RH, CO2);
        assertThat(gate.served(Map.of("targets", " "))).containsExactly(AIR, RH, CO2);
        assertThat(gate.served(Map.of("targets", "air_temperature, co2"))).containsExactly(AIR, CO2);
    }

    @Test
    void againstAChampionTheCandidateMayBeWorseOnNoSharedTarget() {
        Optional<Served> champion = Optional.of(new Served("4", List.of(AIR, CO2)));

        Decision worse = gate.decide(against(run(0.6, 1.95, 20), "4", 0.7, 1.9, 19), List.of(AIR, CO2), champion);
        assertThat(worse.promote()).isFalse();
        assertThat(worse.reason()).isEqualTo("co2 MAE 20.000 is worse than champion version 4's 19.000 on the same test split");

        Decision better = gate.decide(against(run(0.6, 1.95, 19), "4", 0.7, 1.9, 19), List.of(AIR, CO2), champion);
        assertThat(better.promote()).isTrue();
        assertThat(better.reason()).endsWith("beats champion version 4 on air_temperature (0.600, the champion's 0.700)");

        Decision equal = gate.decide(against(run(0.7, 1.95, 19), "4", 0.7, 1.9, 19), List.of(AIR, CO2), champion);
        assertThat(equal.promote()).isFalse();
        assertThat(equal.reason()).startsWith("it does not beat champion version 4 on any target");
    }

    @Test
    void aCandidateMayNotDropATargetTheChampionStillForecastsWell() {
        Optional<Served> champion = Optional.of(new Served("4", List.of(AIR, CO2)));

        Decision drops = gate.decide(against(run(0.5, 1.95, 39), "4", 0.7, 1.9, 30), List.of(AIR), champion);
        assertThat(drops.promote()).isFalse();
        assertThat(drops.reason()).isEqualTo("it drops co2, which champion version 4 still forecasts 25% below persistence "
                + "(30.000, persistence 40.000) on the same test split");

        // On this split the champion's CO2 is no better than persistence either: dropping it is right.
        Decision lapsed = gate.decide(against(run(0.5, 1.95, 39), "4", 0.7, 1.9, 38), List.of(AIR), champion);
        assertThat(lapsed.promote()).as(lapsed.reason()).isTrue();
        assertThat(lapsed.reason()).contains("drops co2, on which champion version 4 is no longer 10% below persistence "
                + "either (38.000, persistence 40.000)");
    }

    @Test
    void servingATargetTheChampionDoesNotIsAGainAndTheChampionMustHaveBeenEvaluated() {
        Optional<Served> champion = Optional.of(new Served("4", List.of(AIR)));

        Decision more = gate.decide(against(run(0.7, 1.5, 39), "4", 0.7, 1.9, 38), List.of(AIR, RH), champion);
        assertThat(more.promote()).as(more.reason()).isTrue();
        assertThat(more.reason()).endsWith("beats champion version 4 on relative_humidity, which version 4 does not forecast");

        Map<String, Double> notEvaluated = run(0.5, 1.5, 39);
        Decision unknown = gate.decide(notEvaluated, List.of(AIR, RH), champion);
        assertThat(unknown.promote()).isFalse();
        assertThat(unknown.reason()).isEqualTo("the run did not evaluate the current champion (version 4) on its test split");
    }
}
