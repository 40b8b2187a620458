package dev.greenloop.trainlauncher.promote;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a candidate becomes champion, from the metrics its training run logged on the test
 * split:
 * <ol>
 *   <li>ONNX Runtime reproduced XGBoost ({@code onnx_parity} = 1);</li>
 *   <li>on every target, its MAE is at least {@code margin} below the persistence baseline's;</li>
 *   <li>when there is a champion, the run evaluated that same champion on the same split
 *       ({@code champion_version}) and the candidate's MAE on the primary target is lower.</li>
 * </ol>
 */
public final class PromotionGate {

    /** The verdict and the sentence that explains it. */
    public record Decision(boolean promote, String reason) {
    }

    private final List<String> targets;
    private final double margin;
    private final String primary;

    public PromotionGate(List<String> targets, double margin, String primary) {
        this.targets = List.copyOf(targets);
        this.margin = margin;
        this.primary = primary;
    }

    public Decision decide(Map<String, Double> m, Optional<String> champion) {
        if (m.getOrDefault("onnx_parity", 0.0) != 1.0) {
            return new Decision(false, "the ONNX export was not confirmed to reproduce the model");
        }
        for (String t : targets) {
            Double mae = m.get("mae_" + t);
            Double persistence = m.get("mae_persistence_" + t);
            if (mae == null || persistence == null) {
                return new Decision(false, "the run logged no test MAE for " + t);
            }
            if (!(mae <= (1 - margin) * persistence)) {
                return new Decision(false, String.format(Locale.ROOT, "%s MAE %.3f is not %.0f%% below persistence %.3f",
                        t, mae, margin * 100, persistence));
            }
        }
        double mae = m.get("mae_" + primary);
        double persistence = m.get("mae_persistence_" + primary);
        String vsPersistence = String.format(Locale.ROOT, "%s MAE %.3f is %.0f%% below persistence %.3f", primary, mae,
                100 * (1 - mae / persistence), persistence);
        if (champion.isEmpty()) {
            return new Decision(true, vsPersistence + "; there was no champion");
        }
        Double evaluated = m.get("champion_version");
        if (evaluated == null || !String.valueOf(evaluated.longValue()).equals(champion.get())) {
            return new Decision(false, "the run did not evaluate the current champion (version " + champion.get()
                    + ") on its test split");
        }
        Double championMae = m.get("champion_mae_" + primary);
        if (championMae == null || !(mae < championMae)) {
            return new Decision(false, String.format(Locale.ROOT, "%s MAE %.3f does not beat the champion's %.3f on the same test split",
                    primary, mae, championMae == null ? Double.NaN : championMae));
        }
        return new Decision(true, vsPersistence + String.format(Locale.ROOT, " and beats champion version %s (%.3f)",
                champion.get(), championMae));
    }
}
