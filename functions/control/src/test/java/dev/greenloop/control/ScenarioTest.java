package dev.greenloop.control;

import io.quarkus.test.common.ResourceArg;
import dev.greenloop.testkit.quarkus.OidcResource;
import dev.greenloop.events.Extensions;
import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.CommandMode;
import dev.greenloop.events.payload.ControlCommand;
import dev.greenloop.events.payload.Prediction;
import dev.greenloop.events.signing.CommandVerifier;
import dev.greenloop.testkit.quarkus.KafkaResource;
import dev.greenloop.testkit.quarkus.MongoResource;
import io.cloudevents.CloudEvent;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static dev.greenloop.control.ControlTesting.GH;
import static dev.greenloop.control.ControlTesting.climate;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scenario table end to end: a zone's measured climate, settings and actuators in MongoDB, a
 * prediction (or the periodic check) delivered as the Broker does, and the signed commands that
 * land on {@code greenhouse.commands}: {@code +} up, {@code -} down, {@code 0} to the bottom of
 * the range, {@code =} no command.
 */
@QuarkusTest
@WithTestResource(value = OidcResource.class, initArgs = @ResourceArg(name = "audience", value = "greenloop-control"))
@TestProfile(ControlTestProfile.class)
@WithTestResource(KafkaResource.class)
@WithTestResource(MongoResource.class)
class ScenarioTest {

    /** How the scenario reaches control. */
    enum Input { FRESH, STALE, CHECK }

    record Case(String name, int localHour, Map<String, Double> measured, double[] actuators, Input input,
                Double predictedTemperature, Double predictedHumidity, Double predictedCo2, String expected,
                CommandMode mode, String reason) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> scenarios() {
        return Stream.of(
                new Case("hot afternoon: vent, stop heating, shade", 14, climate(26.0, 70, 700, 1200, 800, 30),
                        new double[]{40, 10, 0, 0, 0}, Input.FRESH, 28.5, 70.0, 700.0, "- + = = +", CommandMode.PREDICTIVE,
                        "vent: predicted 28.5 °C (+15 min) above day band"),
                new Case("cold night: heat, close vents, energy screen", 2, climate(16.5, 80, 500, 0, 0, 2),
                        new double[]{30, 20, 0, 0, 0}, Input.FRESH, 14.8, 80.0, 500.0, "+ 0 = = +", CommandMode.PREDICTIVE,
                        "heat: predicted 14.8 °C (+15 min) below night band"),
                new Case("humid morning: vent and heat to dehumidify, no fogging", 7, climate(21.0, 90, 650, 300, 150, 8),
                        new double[]{30, 0, 20, 0, 0}, Input.FRESH, 21.0, 93.0, 650.0, "+ + 0 = =", CommandMode.PREDICTIVE,
                        "dehumidify: predicted 93 % RH (+15 min)"),
                new Case("CO2 low with vents open: vents win, no dosing", 14, climate(27.0, 70, 400, 1200, 600, 30),
                        new double[]{20, 40, 0, 0, 60}, Input.FRESH, 29.0, 70.0, 400.0, "= + = = =", CommandMode.PREDICTIVE,
                        "vent: predicted 29.0 °C"),
                new Case("a model without air temperature: predictive, the temperature steered on its measured value", 2,
                        climate(15.5, 80, 400, 0, 0, 12), new double[]{30, 0, 0, 50, 0}, Input.FRESH, null, 93.0, null,
                        "+ = = 0 =", CommandMode.PREDICTIVE, "heat: measured 15.5 °C below night band"),
                new Case("stale prediction: thermostat on measured values", 2, climate(15.5, 80, 400, 0, 0, 12),
                        new double[]{30, 0, 0, 50, 0}, Input.STALE, 30.0, null, null, "+ = = 0 =", CommandMode.FALLBACK,
                        "fallback (stale): heat: measured 15.5 °C below night band"),
                new Case("implausible prediction: thermostat on measured values", 2, climate(15.5, 80, 400, 0, 0, 12),
                        new double[]{30, 0, 0, 50, 0}, Input.FRESH, 45.0, null, null, "+ = = 0 =", CommandMode.FALLBACK,
                        "fallback (implausible): heat: measured 15.5 °C"),
                new Case("no model: the periodic check runs the thermostat", 2, climate(15.5, 80, 400, 0, 0, 12),
                        new double[]{30, 0, 0, 50, 0}, Input.CHECK, null, null, null, "+ = = 0 =", CommandMode.FALLBACK,
                        "fallback (no-model): heat: measured 15.5 °C")
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void scenario(Case c) {
        String g = c.input() == Input.CHECK ? ControlTestProfile.CHECK_GREENHOUSE : GH;
        String z = ControlTesting.zone();
        Instant windowEnd = ControlTesting.lastWindowEnd();
        ControlTesting.settingsAtLocalHour(g, z, c.localHour());
        ControlTesting.measured(g, z, windowEnd, c.measured());
        double[] a = c.actuators();
        ControlTesting.actuators(g, z, a[0], a[1], a[2], a[3], a[4]);
        String cause = UUID.randomUUID().toString();
        if (c.input() == Input.CHECK) {
            assertThat(ControlTesting.ping(cause, g).statusCode()).isEqualTo(204);
        } else {
            Instant predictedWindow = c.input() == Input.STALE ? windowEnd.minus(Duration.ofMinutes(8)) : windowEnd;
            Prediction p = ControlTesting.prediction(g, z, predictedWindow, c.predictedTemperature(), c.predictedHumidity(),
                    c.predictedCo2(), false);
            assertThat(ControlTesting.deliver(cause, p).statusCode()).isEqualTo(204);
        }

        List<ConsumerRecord<String, CloudEvent>> records = ControlTesting.commandsCausedBy(cause);
        Map<ActuatorKind, ControlCommand> commands = ControlTesting.byActuator(records);
        ActuatorKind[] order = {ActuatorKind.HEATING, ActuatorKind.VENT, ActuatorKind.FOGGING, ActuatorKind.CO2_DOSING,
                ActuatorKind.SCREEN};
        String[] want = c.expected().split(" ");
        CommandVerifier gateway = CommandVerifier.withDefaults(ControlTesting.keys(), Clock.systemUTC());
        for (int i = 0; i < order.length; i++) {
            ControlCommand command = commands.get(order[i]);
            String what = c.name() + ": " + order[i].wireName() + " " + (command == null ? "no command"
                    : a[i] + " -> " + command.value() + " (" + command.reason() + ")");
            switch (want[i]) {
                case "=" -> assertThat(command).as(what).isNull();
                case "+" -> assertThat(command != null && command.value() > a[i]).as(what).isTrue();
                case "-" -> assertThat(command != null && command.value() < a[i]).as(what).isTrue();
                case "0" -> assertThat(command != null && command.value() == 0).as(what).isTrue();
                default -> throw new IllegalArgumentException(want[i]);
            }
            if (command != null) {
                assertThat(command.mode()).as(what).isEqualTo(c.mode());
                assertThat(gateway.verify(command)).as(what).isEqualTo(command);
            }
        }
        assertThat(commands.values()).as("the rule behind the commands").anySatisfy(command ->
                assertThat(command.reason()).startsWith(c.reason().startsWith("fallback") ? c.reason().substring(0, 20) : "")
                        .contains(c.reason().startsWith("fallback") ? c.reason().substring(c.reason().indexOf(':') + 2) : c.reason()));
        for (ConsumerRecord<String, CloudEvent> r : records) {
            assertThat(r.key()).isEqualTo(g + "/" + z);
            assertThat(r.value().getId()).isEqualTo(ControlTesting.command(r).commandId());
            assertThat(r.value().getExtension(Extensions.ZONE_ID)).isEqualTo(z);
        }
        if (c.mode() == CommandMode.FALLBACK) {
            String reason = c.reason().substring("fallback (".length(), c.reason().indexOf(')'));
            given().get(dev.greenloop.testkit.quarkus.Metrics.URL).then().statusCode(200)
                    .body(org.hamcrest.Matchers.containsString("greenloop_control_fallbacks_total{function=\"control\",reason=\"" + reason + "\"}"));
        }
    }

    /**
     * A prediction with an interval: the night's predicted 17.5 °C is inside the band, but its
     * interval reaches 16.2 °C, below the band's margin: control heats on that bound, and says so.
     */
    @org.junit.jupiter.api.Test
    void thePessimisticBoundOfAnIntervalIsActedOn() {
        String z = ControlTesting.zone();
        Instant windowEnd = ControlTesting.lastWindowEnd();
        ControlTesting.settingsAtLocalHour(GH, z, 2);
        ControlTesting.measured(GH, z, windowEnd, climate(17.6, 80, 500, 0, 0, 12));
        ControlTesting.actuators(GH, z, 30, 0, 0, 0, 0);
        Prediction plain = ControlTesting.prediction(GH, z, windowEnd, 17.5, 80.0, 500.0, false);
        Prediction p = new Prediction(plain.greenhouseId(), plain.zoneId(), plain.windowId(), plain.windowEnd(),
                plain.modelName(), plain.modelVersion(), plain.featureSpecVersion(),
                List.of(new dev.greenloop.events.payload.TargetValue(dev.greenloop.events.payload.SensorKind.AIR_TEMPERATURE,
                                15, 17.5, 16.2, 18.4),
                        plain.values().get(1), plain.values().get(2)), false);
        String cause = UUID.randomUUID().toString();

        assertThat(ControlTesting.deliver(cause, p).statusCode()).isEqualTo(204);

        Map<ActuatorKind, ControlCommand> commands = ControlTesting.byActuator(ControlTesting.commandsCausedBy(cause));
        ControlCommand heating = commands.get(ActuatorKind.HEATING);
        assertThat(heating).as("commands %s", commands).isNotNull();
        assertThat(heating.value()).isGreaterThan(30);
        assertThat(heating.mode()).isEqualTo(CommandMode.PREDICTIVE);
        assertThat(heating.reason()).contains("heat: predicted as low as 16.2 °C (+15 min) below night band");
    }
}
