package dev.greenloop.trainlauncher.promote;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a candidate becomes champion, from the metrics its training run logged on the test
 * split and the targets each version serves (its {@code targets} tag: the trainer leaves out of
 * the ONNX graph every target that does not beat persistence by the margin, and control decides
 * on the measured value for those):
 * <ol>
 *   <li>ONNX Runtime reproduced XGBoost ({@code onnx_parity} = 1);</li>
 *   <li>the candidate serves at least one target, and on every target it serves its MAE is at
 *       least {@code margin} below the persistence baseline's;</li>
 *   <li>when there is a champion, the run evaluated that same champion on the same split
 *       ({@code champion_version}), and the candidate
 *       <ul>
 *         <li>is nowhere worse than the champion on a target both serve,</li>
 *         <li>drops no target the champion still forecasts {@code margin} below persistence on
 *             this split (one it no longer does may go: control is better off on the measured
 *             value),</li>
 *         <li>and is better on at least one target, or serves one the champion does not.</li>
 *       </ul></li>
 * </ol>
 */
public final class PromotionGate {

    /** The verdict and the sentence that explains it. */
    public record Decision(boolean promote, String reason) {
    }

    /** A registered version and the targets its model predicts. */
    public record Served(String version, List<String> targets) {
        public Served {
            targets = List.copyOf(targets);
        }
    }

    private final List<String> targets;
    private final double margin;

    /**
     * @param targets the targets training is asked for, in order (what a version without a
     *                {@code targets} tag is taken to serve)
     */
    public PromotionGate(List<String> targets, double margin) {
        this.targets = List.copyOf(targets);
        this.margin = margin;
    }

    /** The targets a version serves: its {@code targets} tag, or every configured target for a version without one. */
    public List<String> served(Map<String, String> versionTags) {
        String tag = versionTags.get("targets");
        if (tag == null || tag.isBlank()) {
            return targets;
        }
        return java.util.Arrays.stream(tag.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
    }

    public Decision decide(Map<String, Double> m, List<String> candidate, Optional<Served> champion) {
        if (m.getOrDefault("onnx_parity", 0.0) != 1.0) {
            return new Decision(false, "the ONNX export was not confirmed to reproduce the model");
        }
        if (candidate.isEmpty()) {
            return new Decision(false, "the version serves no target");
        }
        List<String> serving = new ArrayList<>();
        for (String t : candidate) {
            Double mae = m.get("mae_" + t);
            Double persistence = m.get("mae_persistence_" + t);
            if (mae == null || persistence == null) {
                return new Decision(false, "the run logged no test MAE for " + t);
            }
            if (!passes(mae, persistence)) {
                return new Decision(false, String.format(Locale.ROOT, "%s MAE %.3f is not %.0f%% below persistence %.3f",
                        t, mae, margin * 100, persistence));
            }
            serving.add(String.format(Locale.ROOT, "%s MAE %.3f is %.0f%% below persistence %.3f", t, mae,
                    100 * (1 - mae / persistence), persistence));
        }
        StringBuilder reason = new StringBuilder("serves ").append(String.join(", ", serving));
        for (String t : targets) {
            if (!candidate.contains(t) && m.containsKey("mae_" + t) && m.containsKey("mae_persistence_" + t)) {
                reason.append(String.format(Locale.ROOT, "; not %s (MAE %.3f, persistence %.3f): control decides on its measured value",
                        t, m.get("mae_" + t), m.get("mae_persistence_" + t)));
            }
        }
        if (champion.isEmpty()) {
            return new Decision(true, reason.append("; there was no champion").toString());
        }
        String version = champion.get().version();
        Double evaluated = m.get("champion_version");
        if (evaluated == null || !String.valueOf(evaluated.longValue()).equals(version)) {
            return new Decision(false, "the run did not evaluate the current champion (version " + version
                    + ") on its test split");
        }
        List<String> held = champion.get().targets();
        Set<String> all = new LinkedHashSet<>(targets);
        all.addAll(candidate);
        all.addAll(held);
        List<String> gains = new ArrayList<>();
        for (String t : all) {
            boolean ours = candidate.contains(t);
            boolean theirs = held.contains(t);
            Double championMae = m.get("champion_mae_" + t);
            if (ours && theirs && championMae != null) {
                double mae = m.get("mae_" + t);
                if (mae > championMae) {
                    return new Decision(false, String.format(Locale.ROOT, "%s MAE %.3f is worse than champion version %s's "
                            + "%.3f on the same test split", t, mae, version, championMae));
                }
                if (mae < championMae) {
                    gains.add(String.format(Locale.ROOT, "%s (%.3f, the champion's %.3f)", t, mae, championMae));
                }
            } else if (ours && !theirs) {
                gains.add(t + ", which version " + version + " does not forecast");
            } else if (!ours && theirs) {
                Double persistence = m.get("mae_persistence_" + t);
                if (persistence == null) {
                    reason.append("; ").append(t).append(" is no longer trained (version ").append(version)
                            .append(" forecast it)");
                } else if (championMae == null) {
                    return new Decision(false, "the run did not evaluate champion version " + version + " on " + t
                            + ", which it forecasts and the candidate would drop");
                } else if (passes(championMae, persistence)) {
                    return new Decision(false, String.format(Locale.ROOT, "it drops %s, which champion version %s still "
                            + "forecasts %.0f%% below persistence (%.3f, persistence %.3f) on the same test split", t, version,
                            100 * (1 - championMae / persistence), championMae, persistence));
                } else {
                    reason.append(String.format(Locale.ROOT, "; drops %s, on which champion version %s is no longer %.0f%% "
                            + "below persistence either (%.3f, persistence %.3f)", t, version, margin * 100, championMae,
                            persistence));
                }
            }
        }
        if (gains.isEmpty()) {
            return new Decision(false, "it does not beat champion version " + version
                    + " on any target on the same test split (" + reason + ")");
        }
        return new Decision(true, reason.append("; beats champion version ").append(version).append(" on ")
                .append(String.join(", ", gains)).toString());
    }

    private boolean passes(double mae, double persistence) {
        return mae <= (1 - margin) * persistence;
    }
}
