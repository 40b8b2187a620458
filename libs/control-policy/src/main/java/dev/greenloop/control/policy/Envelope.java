package dev.greenloop.control.policy;

import dev.greenloop.events.payload.ActuatorKind;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The safety envelope, applied to every proposal last and whatever the policy said. In order:
 * <ol>
 *   <li><b>limits</b>: clamped to the actuator's range;</li>
 *   <li><b>rate</b>: at most {@code maxStep} from the current setting;</li>
 *   <li><b>dwell</b>: an actuator changed less than {@code minDwell} ago keeps its setting;</li>
 *   <li><b>hysteresis</b>: a change smaller than {@code minChange} is not made (moving to the
 *       range's end always is);</li>
 *   <li><b>conflicts</b>: pairs that must not both be past their thresholds, settled by priority:
 *       heating against vents (above {@code heatVentPipe} °C the vents stay under
 *       {@code heatVentMaxVent} %; when too warm the vents win, else the heating), vents against
 *       CO2 dosing (dosing only under {@code co2MaxVent} %; the vents win) and vents against
 *       fogging (under {@code fogMaxVent} %; the vents win). The loser is held at its threshold;
 *       when it cannot get there within its own limits, the winner is.</li>
 * </ol>
 * Every step only moves a value back toward the current setting, so no step undoes an earlier
 * one: the result is in range, within the rate limit and the dwell, and, from a state without a
 * conflict, without a conflict. Pure; thread-safe.
 */
public final class Envelope {

    private Envelope() {
    }

    /** A pair that must not both be above their thresholds; {@code a} wins unless told otherwise. */
    record Conflict(ActuatorKind a, double aMax, ActuatorKind b, double bMax) {
    }

    public static List<Conflict> conflicts(ZoneSettings s) {
        return List.of(new Conflict(ActuatorKind.VENT, s.heatVentMaxVent(), ActuatorKind.HEATING, s.heatVentPipe()),
                new Conflict(ActuatorKind.VENT, s.co2MaxVent(), ActuatorKind.CO2_DOSING, 0),
                new Conflict(ActuatorKind.VENT, s.fogMaxVent(), ActuatorKind.FOGGING, 0));
    }

    /** What the envelope did, per step name: {@code limit}, {@code rate}, {@code dwell}, {@code hysteresis}, {@code conflict}. */
    public record Outcome(List<Change> changes, Map<ActuatorKind, Double> settings, Map<String, Integer> limited) {
    }

    /**
     * @param ventFirst whether vents win over heating (the zone is too warm)
     * @return the changes to command (actuators whose setting moves), and every actuator's new setting
     */
    public static Outcome apply(ZoneSettings s, Instant now, Map<ActuatorKind, ActuatorSetting> current,
                                Map<ActuatorKind, Proposal> proposals, boolean ventFirst) {
        Map<ActuatorKind, Double> cur = new EnumMap<>(ActuatorKind.class);
        Map<ActuatorKind, Double> next = new EnumMap<>(ActuatorKind.class);
        Map<ActuatorKind, List<String>> notes = new EnumMap<>(ActuatorKind.class);
        Map<String, Integer> limited = new java.util.TreeMap<>();
        for (ActuatorKind kind : ZoneSettings.DRIVEN) {
            ActuatorLimits l = s.limits(kind);
            double from = Policy.value(current, s, kind);
            cur.put(kind, from);
            notes.put(kind, new ArrayList<>());
            Proposal proposal = proposals.get(kind);
            double to = proposal == null ? from : proposal.value();
            if (proposal != null) {
                double clamped = l.clamp(to);
                if (clamped != to) {
                    note(notes, limited, kind, "limit", String.format(Locale.ROOT, "limited to %s–%s",
                            Band.fmt(l.min()), Band.fmt(l.max())));
                    to = clamped;
                }
                if (Math.abs(to - from) > l.maxStep()) {
                    to = from + Math.signum(to - from) * l.maxStep();
                    note(notes, limited, kind, "rate", "at most " + Band.fmt(l.maxStep()) + " per command");
                }
                if (to != from && inDwell(current.get(kind), l.minDwell(), now)) {
                    to = from;
                    note(notes, limited, kind, "dwell", "held: changed less than " + l.minDwell().toMinutes() + " min ago");
                }
                if (to != from && Math.abs(to - from) < l.minChange() && to != l.min() && to != l.max()) {
                    to = from;
                    note(notes, limited, kind, "hysteresis", "change below " + Band.fmt(l.minChange()));
                }
            }
            next.put(kind, to);
        }
        for (Conflict c : conflicts(s)) {
            boolean aFirst = c.b() != ActuatorKind.HEATING || ventFirst;
            ActuatorKind winner = aFirst ? c.a() : c.b();
            ActuatorKind loser = aFirst ? c.b() : c.a();
            double winnerMax = aFirst ? c.aMax() : c.bMax();
            double loserMax = aFirst ? c.bMax() : c.aMax();
            if (next.get(winner) > winnerMax && next.get(loser) > loserMax) {
                ActuatorKind yields = reachable(s, now, current, cur, loser, loserMax) ? loser
                        : reachable(s, now, current, cur, winner, winnerMax) ? winner : loser;
                double max = yields == loser ? loserMax : winnerMax;
                ActuatorKind other = yields == loser ? winner : loser;
                double lowest = inDwell(current.get(yields), s.limits(yields).minDwell(), now) ? cur.get(yields)
                        : cur.get(yields) - s.limits(yields).maxStep();
                double held = Math.max(lowest, Math.min(next.get(yields), max));
                next.put(yields, Math.max(held, s.limits(yields).min()));
                note(notes, limited, yields, "conflict", String.format(Locale.ROOT, "held at %s: %s is at %s",
                        Band.fmt(next.get(yields)), other.wireName(), Band.fmt(next.get(other))));
            }
        }
        List<Change> changes = new ArrayList<>();
        for (ActuatorKind kind : ZoneSettings.DRIVEN) {
            double from = cur.get(kind);
            double to = next.get(kind);
            if (to != from) {
                Proposal proposal = proposals.get(kind);
                String reason = proposal != null ? proposal.reason() : "safety envelope";
                changes.add(new Change(kind, from, to, reason, notes.get(kind)));
            }
        }
        return new Outcome(changes, next, limited);
    }

    /** Whether {@code kind} can be brought to at most {@code max} by this decision. */
    private static boolean reachable(ZoneSettings s, Instant now, Map<ActuatorKind, ActuatorSetting> current,
                                     Map<ActuatorKind, Double> cur, ActuatorKind kind, double max) {
        double from = cur.get(kind);
        if (inDwell(current.get(kind), s.limits(kind).minDwell(), now)) {
            return from <= max;
        }
        return Math.max(from - s.limits(kind).maxStep(), s.limits(kind).min()) <= max;
    }

    static boolean inDwell(ActuatorSetting setting, Duration minDwell, Instant now) {
        return setting != null && setting.changedAt() != null && setting.changedAt().plus(minDwell).isAfter(now);
    }

    private static void note(Map<ActuatorKind, List<String>> notes, Map<String, Integer> limited, ActuatorKind kind,
                             String step, String text) {
        notes.get(kind).add(text);
        limited.merge(kind.wireName() + ":" + step, 1, Integer::sum);
    }
}
