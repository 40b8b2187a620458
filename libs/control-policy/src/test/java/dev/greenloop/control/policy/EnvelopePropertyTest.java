package dev.greenloop.control.policy;

import dev.greenloop.events.payload.ActuatorKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property tests over arbitrary predictions, measurements and actuator states (seeded, 20,000
 * cases per seed, so a failure names its seed and case and replays exactly): the envelope's
 * output never leaves the actuators' ranges, never moves one further than its step or during its
 * dwell, and, from a state without a conflict, never ends in one. The generator is checked to
 * reach the cases that matter (conflict-free starts, decisions that change something).
 */
class EnvelopePropertyTest {

    private static final ZoneSettings S = ZoneSettings.defaults();
    private static final int CASES = 20_000;

    private static Double maybe(Random r, double low, double high) {
        return r.nextInt(10) == 0 ? null : low + r.nextDouble() * (high - low);
    }

    /** Any setting in range (the ends more often than by chance), changed in the last hour or never; or unknown. */
    private static Map<ActuatorKind, ActuatorSetting> state(Random r, Instant now) {
        Map<ActuatorKind, ActuatorSetting> state = new EnumMap<>(ActuatorKind.class);
        for (ActuatorKind kind : ZoneSettings.DRIVEN) {
            if (r.nextInt(8) == 0) {
                continue;
            }
            ActuatorLimits l = S.limits(kind);
            double v = r.nextInt(4) == 0 ? (r.nextBoolean() ? l.min() : l.max()) : l.min() + r.nextDouble() * (l.max() - l.min());
            Instant changed = r.nextInt(3) == 0 ? null : now.minusSeconds(r.nextInt(3600));
            state.put(kind, new ActuatorSetting(v, changed));
        }
        if (r.nextBoolean()) {
            // Half the starts as a running zone would be: no conflicting pair (a uniform draw mostly has one).
            for (Envelope.Conflict c : Envelope.conflicts(S)) {
                if (Policy.value(state, S, c.a()) > c.aMax() && Policy.value(state, S, c.b()) > c.bMax()) {
                    ActuatorSetting b = state.get(c.b());
                    state.put(c.b(), new ActuatorSetting(Math.max(c.bMax(), S.limits(c.b()).min()), b.changedAt()));
                }
            }
        }
        return state;
    }

    private static boolean conflictFree(Map<ActuatorKind, Double> v) {
        for (Envelope.Conflict c : Envelope.conflicts(S)) {
            if (v.get(c.a()) > c.aMax() && v.get(c.b()) > c.bMax()) {
                return false;
            }
        }
        return true;
    }

    private static Map<ActuatorKind, Double> values(Map<ActuatorKind, ActuatorSetting> state) {
        Map<ActuatorKind, Double> v = new EnumMap<>(ActuatorKind.class);
        for (ActuatorKind kind : ZoneSettings.DRIVEN) {
            v.put(kind, Policy.value(state, S, kind));
        }
        return v;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void outputsStayInsideTheEnvelope(long seed) {
        Random r = new Random(seed);
        int conflictFreeStarts = 0;
        int withChanges = 0;
        int limited = 0;
        for (int i = 0; i < CASES; i++) {
            Instant now = Instant.parse("2026-06-21T00:00:00Z").plusSeconds(r.nextInt(86_400));
            Map<ActuatorKind, ActuatorSetting> state = state(r, now);
            // Predictions from absurd to ordinary, measured light and outside values.
            Climate climate = new Climate(maybe(r, -20, 60), maybe(r, -10, 120), maybe(r, 0, 3000), maybe(r, 0, 2000),
                    maybe(r, 0, 1200), maybe(r, -20, 40));
            boolean predictive = r.nextBoolean();
            Policy.Result proposal = Policy.propose(S, now, climate, state, predictive, "+15 min");
            Envelope.Outcome out = Envelope.apply(S, now, state, proposal.proposals(), proposal.ventFirst());
            String where = " (seed " + seed + ", case " + i + ")";

            Map<ActuatorKind, Double> before = values(state);
            for (ActuatorKind kind : ZoneSettings.DRIVEN) {
                ActuatorLimits l = S.limits(kind);
                double from = before.get(kind);
                double to = out.settings().get(kind);
                if (to != from) {
                    assertThat(to).as(kind + " in range" + where).isBetween(l.min(), l.max());
                }
                assertThat(Math.abs(to - from)).as(kind + " step" + where).isLessThanOrEqualTo(l.maxStep() + 1e-9);
                if (Envelope.inDwell(state.get(kind), l.minDwell(), now)) {
                    assertThat(to).as(kind + " held in dwell" + where).isEqualTo(from);
                }
            }
            for (Change c : out.changes()) {
                assertThat(c.to()).isEqualTo(out.settings().get(c.actuator()));
                assertThat(c.from()).isNotEqualTo(c.to());
                assertThat(c.describe()).isNotBlank().hasSizeLessThanOrEqualTo(256);
            }
            if (conflictFree(before)) {
                conflictFreeStarts++;
                assertThat(conflictFree(out.settings())).as("no conflict: %s -> %s%s", before, out.settings(), where)
                        .isTrue();
            }
            withChanges += out.changes().isEmpty() ? 0 : 1;
            limited += out.limited().isEmpty() ? 0 : 1;
        }
        // The generator must reach the cases that matter, or the property proves little.
        assertThat(conflictFreeStarts).as("conflict-free starts").isGreaterThan(CASES * 2 / 5);
        assertThat(withChanges).as("cases with a change").isGreaterThan(CASES / 3);
        assertThat(limited).as("cases the envelope limited").isGreaterThan(CASES / 3);
    }

    @ParameterizedTest
    @ValueSource(longs = {4, 5})
    void fromAConflictTheEnvelopeMovesOutOfIt(long seed) {
        Random r = new Random(seed);
        for (int i = 0; i < 2_000; i++) {
            Instant now = Instant.parse("2026-06-21T13:00:00Z");
            // Vents open past the dosing threshold and CO2 dosing on, nothing in dwell: the dosing stops at once.
            Map<ActuatorKind, ActuatorSetting> state = new EnumMap<>(ActuatorKind.class);
            state.put(ActuatorKind.VENT, new ActuatorSetting(S.co2MaxVent() + 1 + r.nextInt((int) (100 - S.co2MaxVent())),
                    now.minus(Duration.ofHours(1))));
            state.put(ActuatorKind.CO2_DOSING, new ActuatorSetting(1 + r.nextInt(99), now.minus(Duration.ofHours(1))));
            Climate climate = new Climate(30.0, 70.0, 400.0, 900.0, 500.0, 25.0);
            Policy.Result proposal = Policy.propose(S, now, climate, state, true, "+15 min");
            Envelope.Outcome out = Envelope.apply(S, now, state, proposal.proposals(), proposal.ventFirst());
            assertThat(out.settings().get(ActuatorKind.CO2_DOSING)).as("seed %d case %d", seed, i).isZero();
        }
    }
}
