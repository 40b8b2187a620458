package dev.greenloop.control.policy;

import dev.greenloop.events.payload.ActuatorKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rule table as scenarios: a climate (predicted unless the scenario says measured), actuators
 * at rest an hour ago, and the commands expected: {@code +} up, {@code -} down, {@code 0} to the
 * bottom of the range, {@code =} no command.
 */
class PolicyScenarioTest {

    private static final ZoneSettings S = ZoneSettings.defaults();
    private static final Instant AFTERNOON = Instant.parse("2026-06-21T14:00:00Z");
    private static final Instant NIGHT = Instant.parse("2026-01-15T02:00:00Z");
    private static final Instant MORNING = Instant.parse("2026-04-10T07:00:00Z");

    static Map<ActuatorKind, ActuatorSetting> at(Instant now, double heating, double vent, double fog, double co2, double screen) {
        Map<ActuatorKind, ActuatorSetting> m = new EnumMap<>(ActuatorKind.class);
        Instant hourAgo = now.minusSeconds(3600);
        m.put(ActuatorKind.HEATING, new ActuatorSetting(heating, hourAgo));
        m.put(ActuatorKind.VENT, new ActuatorSetting(vent, hourAgo));
        m.put(ActuatorKind.FOGGING, new ActuatorSetting(fog, hourAgo));
        m.put(ActuatorKind.CO2_DOSING, new ActuatorSetting(co2, hourAgo));
        m.put(ActuatorKind.SCREEN, new ActuatorSetting(screen, hourAgo));
        return m;
    }

    static Stream<Arguments> scenarios() {
        return Stream.of(
                // name, now, climate, predictive, state, expected (heating vent fogging co2 screen)
                Arguments.of("hot afternoon: vent, stop heating, shade", AFTERNOON,
                        new Climate(28.5, 70.0, 700.0, 1200.0, 800.0, 30.0), true, at(AFTERNOON, 40, 10, 0, 0, 0), "- + = = +"),
                Arguments.of("cold night: heat, close vents, energy screen", NIGHT,
                        new Climate(14.8, 80.0, 500.0, 0.0, 0.0, 2.0), true, at(NIGHT, 30, 20, 0, 0, 0), "+ 0 = = +"),
                Arguments.of("humid morning: vent and heat to dehumidify, no fogging", MORNING,
                        new Climate(21.0, 93.0, 650.0, 300.0, 150.0, 8.0), true, at(MORNING, 30, 0, 20, 0, 0), "+ + 0 = ="),
                Arguments.of("humid and warm: vents alone dehumidify, no heat added near the band's top", AFTERNOON,
                        new Climate(24.5, 84.0, 800.0, 900.0, 400.0, 25.0), true, at(AFTERNOON, 40, 0, 20, 0, 0), "= + 0 = ="),
                Arguments.of("dry and lit: fog, dose CO2", AFTERNOON,
                        new Climate(23.0, 55.0, 450.0, 900.0, 400.0, 25.0), true, at(AFTERNOON, 30, 10, 0, 0, 0), "= = + + ="),
                Arguments.of("CO2 low but vents open (hot): vents win, no dosing", AFTERNOON,
                        new Climate(29.0, 70.0, 400.0, 1200.0, 600.0, 30.0), true, at(AFTERNOON, 20, 40, 0, 0, 60), "= + = = ="),
                Arguments.of("in band: nothing to do", AFTERNOON,
                        new Climate(23.0, 72.0, 800.0, 900.0, 400.0, 25.0), true, at(AFTERNOON, 30, 10, 0, 0, 0), "= = = = ="),
                Arguments.of("fallback thermostat on measured values: heat, no CO2 dosing", NIGHT,
                        new Climate(15.5, 80.0, 400.0, 0.0, 0.0, 12.0), false, at(NIGHT, 30, 0, 0, 50, 0), "+ = = 0 =")
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void scenario(String name, Instant now, Climate climate, boolean predictive, Map<ActuatorKind, ActuatorSetting> state,
                  String expected) {
        Policy.Result p = Policy.propose(S, now, climate, state, predictive, "+15 min");
        Envelope.Outcome out = Envelope.apply(S, now, state, p.proposals(), p.ventFirst());
        Map<ActuatorKind, Change> changes = out.changes().stream().collect(Collectors.toMap(Change::actuator, c -> c));
        String[] want = expected.split(" ");
        for (int i = 0; i < ZoneSettings.DRIVEN.length; i++) {
            ActuatorKind kind = ZoneSettings.DRIVEN[i];
            Change c = changes.get(kind);
            String what = name + ": " + kind.wireName() + " " + (c == null ? "unchanged" : c.from() + " -> " + c.to() + " (" + c.describe() + ")");
            switch (want[i]) {
                case "=" -> assertThat(c).as(what).isNull();
                case "+" -> assertThat(c != null && c.to() > c.from()).as(what).isTrue();
                case "-" -> assertThat(c != null && c.to() < c.from()).as(what).isTrue();
                case "0" -> assertThat(c != null && c.to() == S.limits(kind).min()).as(what).isTrue();
                default -> throw new IllegalArgumentException(want[i]);
            }
        }
    }

    @Test
    void reasonsSayWhatWasPredictedAndWhichLimitApplied() {
        Map<ActuatorKind, ActuatorSetting> state = at(NIGHT, 30, 0, 0, 0, 0);
        Policy.Result p = Policy.propose(S, NIGHT, new Climate(10.0, 80.0, 500.0, 0.0, 0.0, 2.0), state, true, "+15 min");
        Change heating = Envelope.apply(S, NIGHT, state, p.proposals(), p.ventFirst()).changes().stream()
                .filter(c -> c.actuator() == ActuatorKind.HEATING).findFirst().orElseThrow();
        assertThat(heating.to()).isEqualTo(40.0);
        assertThat(heating.describe()).contains("heat: predicted 10.0 °C (+15 min) below night band 16–20 °C")
                .contains("at most 10 per command");
    }

    /**
     * A model may forecast only some targets: the margin and the word "predicted" go with the
     * quantities it forecasts; the others follow the fallback thermostat's rule (the band itself).
     */
    @Test
    void onlyTheQuantitiesPredictedAreActedOnAtTheMargin() {
        Map<ActuatorKind, ActuatorSetting> state = at(NIGHT, 30, 0, 0, 0, 0);
        // 16.3 °C: inside the night band 16–20, but less than its 0.5 °C margin above the bottom.
        Climate climate = new Climate(16.3, 80.0, 500.0, 0.0, 0.0, 12.0);

        Policy.Result air = Policy.propose(S, NIGHT, climate, state, java.util.Set.of(dev.greenloop.events.payload.SensorKind.AIR_TEMPERATURE),
                "+15 min");
        assertThat(air.proposals()).containsKey(ActuatorKind.HEATING);
        assertThat(air.proposals().get(ActuatorKind.HEATING).reason()).isEqualTo("heat: predicted 16.3 °C (+15 min) below night band 16–20 °C");

        Policy.Result humidityOnly = Policy.propose(S, NIGHT, climate, state,
                java.util.Set.of(dev.greenloop.events.payload.SensorKind.RELATIVE_HUMIDITY), "+15 min");
        assertThat(humidityOnly.proposals()).doesNotContainKey(ActuatorKind.HEATING);

        // 15.8 °C measured, below the band itself: heated on the measured value, said so, no horizon.
        Policy.Result measured = Policy.propose(S, NIGHT, new Climate(15.8, 80.0, 500.0, 0.0, 0.0, 12.0), state,
                java.util.Set.of(dev.greenloop.events.payload.SensorKind.CO2), "+15 min");
        assertThat(measured.proposals().get(ActuatorKind.HEATING).reason()).isEqualTo("heat: measured 15.8 °C below night band 16–20 °C");

        // CO2 is dosed while a prediction is usable, on the measured CO2 at the band itself (620 > 600)...
        Map<ActuatorKind, ActuatorSetting> day = at(AFTERNOON, 30, 10, 0, 0, 0);
        Climate lit = new Climate(23.0, 72.0, 620.0, 900.0, 400.0, 25.0);
        Policy.Result airOnly = Policy.propose(S, AFTERNOON, lit, day,
                java.util.Set.of(dev.greenloop.events.payload.SensorKind.AIR_TEMPERATURE), "+15 min");
        assertThat(airOnly.proposals()).doesNotContainKey(ActuatorKind.CO2_DOSING);
        // ... and at the margin when CO2 is forecast (620 < 600 + 50).
        Policy.Result co2 = Policy.propose(S, AFTERNOON, lit, day, Policy.ALL_PREDICTED, "+15 min");
        assertThat(co2.proposals().get(ActuatorKind.CO2_DOSING).reason()).startsWith("dose CO2: predicted 620 ppm (+15 min)");
        // Without any prediction: no dosing at all.
        assertThat(Policy.propose(S, AFTERNOON, new Climate(23.0, 72.0, 500.0, 900.0, 400.0, 25.0), day, java.util.Set.of(), null)
                .proposals().get(ActuatorKind.CO2_DOSING).reason()).isEqualTo("no CO2 dosing without a prediction");
    }

    /**
     * With a prediction interval, the rules act on the bound that puts the crop at risk: a value
     * inside the band whose interval reaches below it heats; an interval past both sides of the
     * band gives no direction, and the value is acted on.
     */
    @Test
    void theBoundThatPutsTheCropAtRiskIsActedOn() {
        Map<ActuatorKind, ActuatorSetting> state = at(NIGHT, 30, 0, 0, 0, 0);
        Climate climate = new Climate(17.5, 80.0, 500.0, 0.0, 0.0, 12.0);
        java.util.Set<dev.greenloop.events.payload.SensorKind> all = Policy.ALL_PREDICTED;
        var air = dev.greenloop.events.payload.SensorKind.AIR_TEMPERATURE;
        var rh = dev.greenloop.events.payload.SensorKind.RELATIVE_HUMIDITY;

        assertThat(Policy.propose(S, NIGHT, climate, state, all, "+15 min").proposals()).doesNotContainKey(ActuatorKind.HEATING);

        Policy.Result cold = Policy.propose(S, NIGHT, climate, state, all, Map.of(air, new Policy.Interval(16.2, 18.4)), "+15 min");
        assertThat(cold.proposals().get(ActuatorKind.HEATING).reason())
                .isEqualTo("heat: predicted as low as 16.2 °C (+15 min) below night band 16–20 °C");
        assertThat(cold.proposals().get(ActuatorKind.HEATING).value()).isGreaterThan(30);

        Policy.Result wide = Policy.propose(S, NIGHT, climate, state, all, Map.of(air, new Policy.Interval(14.0, 21.0)), "+15 min");
        assertThat(wide.proposals()).doesNotContainKey(ActuatorKind.HEATING).doesNotContainKey(ActuatorKind.VENT);

        // Humidity 84 % in the night band 65–88 %: its interval up to 87 % is a disease risk: dehumidify.
        Policy.Result wet = Policy.propose(S, NIGHT, new Climate(18.0, 84.0, 500.0, 0.0, 0.0, 12.0), state, all,
                Map.of(rh, new Policy.Interval(82.0, 87.0)), "+15 min");
        assertThat(wet.proposals().get(ActuatorKind.FOGGING).reason()).contains("dehumidify: predicted as high as 87 % RH (+15 min)");
        // A measured quantity has no interval to act on.
        Policy.Result measured = Policy.propose(S, NIGHT, climate, state, java.util.Set.of(rh),
                Map.of(air, new Policy.Interval(15.0, 18.4)), "+15 min");
        assertThat(measured.proposals()).doesNotContainKey(ActuatorKind.HEATING);
    }

    @Test
    void aRecentChangeIsHeldForItsDwell() {
        Map<ActuatorKind, ActuatorSetting> state = at(NIGHT, 30, 0, 0, 0, 0);
        state.put(ActuatorKind.HEATING, new ActuatorSetting(30, NIGHT.minusSeconds(60)));
        Policy.Result p = Policy.propose(S, NIGHT, new Climate(10.0, 80.0, 500.0, 0.0, 0.0, 2.0), state, true, "+15 min");
        Envelope.Outcome out = Envelope.apply(S, NIGHT, state, p.proposals(), p.ventFirst());
        assertThat(out.changes()).noneMatch(c -> c.actuator() == ActuatorKind.HEATING);
        assertThat(out.limited()).containsKey("heating:dwell");
    }
}
