package dev.greenloop.local.live;

import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.CommandMode;
import dev.greenloop.events.payload.CommandSignature;
import dev.greenloop.events.payload.ControlCommand;
import dev.greenloop.local.DemoZones;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The envelope audit of applied commands: each broken rule is found, and commands within it pass. */
class DemoZonesTest {

    private static final Instant T = Instant.parse("2026-12-03T12:00:00Z");
    private static int n;

    private static ControlCommand command(String zone, ActuatorKind actuator, double value, Instant at) {
        n++;
        return new ControlCommand("cmd-" + n, "gh-1", zone, actuator, value, actuator.unit(), CommandMode.PREDICTIVE,
                "test", null, new CommandSignature(CommandSignature.HMAC_SHA256, "k1", at, at.plus(Duration.ofMinutes(10)),
                "nonce-nonce-nonce-" + n, "signature-value-of-command-" + n));
    }

    @Test
    void commandsWithinTheEnvelopePass() {
        List<ControlCommand> fine = List.of(
                command("z1", ActuatorKind.HEATING, 40, T),
                command("z1", ActuatorKind.HEATING, 50, T.plus(Duration.ofMinutes(5))),
                command("z1", ActuatorKind.VENT, 20, T.plus(Duration.ofSeconds(30))),
                // Another zone's heating has its own dwell.
                command("z2", ActuatorKind.HEATING, 60, T.plus(Duration.ofSeconds(10))));
        assertThat(DemoZones.violations(fine)).isEmpty();
    }

    @Test
    void eachBrokenRuleIsFound() {
        assertThat(DemoZones.violations(List.of(command("z1", ActuatorKind.HEATING, 80, T))))
                .singleElement().asString().contains("80.0 is outside 20–75");
        assertThat(DemoZones.violations(List.of(command("z1", ActuatorKind.HEATING, 40, T),
                command("z1", ActuatorKind.HEATING, 55, T.plus(Duration.ofMinutes(6))))))
                .singleElement().asString().contains("40.0 → 55.0 is a larger step than 10");
        // Out of order on arrival: judged in issue order.
        assertThat(DemoZones.violations(List.of(command("z1", ActuatorKind.VENT, 30, T.plus(Duration.ofSeconds(90))),
                command("z1", ActuatorKind.VENT, 20, T))))
                .singleElement().asString().contains("changed 90 s after the previous change, sooner than 300 s");
        assertThat(DemoZones.violations(List.of(command("z1", ActuatorKind.LAMPS, 50, T))))
                .singleElement().asString().contains("outside the envelope");
    }

    @Test
    void dayAndNightBands() {
        assertThat(DemoZones.band(Instant.parse("2026-12-03T05:59:00Z"))).isEqualTo(DemoZones.NIGHT);
        assertThat(DemoZones.band(Instant.parse("2026-12-03T06:00:00Z"))).isEqualTo(DemoZones.DAY);
        assertThat(DemoZones.band(Instant.parse("2026-12-03T20:00:00Z"))).isEqualTo(DemoZones.NIGHT);
    }
}
