package dev.greenloop.monitor.outcome;

import org.bson.Document;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Realised accuracy from outcomes: per zone, target, horizon, model version, role and hour of
 * the target time, the count, MAE, RMSE and bias of the model, persistence's MAE on the same
 * instants and their ratio (below 1: the model beats "it stays as it is"), and the share of the
 * measured values inside the prediction interval (live coverage); and the head-to-head
 * of champion and challenger on the instants both predicted.
 */
public final class Accuracy {

    private Accuracy() {
    }

    /**
     * One hour of one model's outcomes.
     *
     * @param count          scored outcomes (with a measured value)
     * @param expired        predictions whose target window never came, or came without the signal
     * @param ratio          {@code mae / persistenceMae} over the instants persistence could be scored on
     * @param withInterval   scored outcomes whose prediction had an interval
     * @param coverage       the share of those whose measured value lay inside it (low ≤ actual ≤ high); null
     *                       without intervals. Compare with the version's nominal coverage (its tag {@code interval})
     */
    public record Hour(String zoneId, String target, int horizonMinutes, String modelVersion, String role, Instant hour,
                       long count, long expired, Double mae, Double rmse, Double bias, Double persistenceMae, Double ratio,
                       long withInterval, Double coverage) {
    }

    /**
     * Champion and challenger on the same instants of one zone and target.
     *
     * @param gain champion MAE over challenger MAE: above 1, the challenger was better
     */
    public record HeadToHead(String zoneId, String target, int horizonMinutes, String championVersion,
                             String challengerVersion, long instants, double championMae, double challengerMae,
                             double gain, double challengerBetterShare) {
    }

    private static final class Sums {
        long count;
        long expired;
        double abs;
        double squared;
        double signed;
        long both;
        double absBoth;
        double persistenceAbs;
        long withInterval;
        long covered;
    }

    /** Each model's hours ({@link Hour}), summed one outcome at a time as a cursor reads them: it holds the sums, not the outcomes. */
    public static final class Hourly {

        private final Map<List<Object>, Sums> groups = new TreeMap<>(Comparator.comparing(Object::toString));

        public void add(Document o) {
            Instant hour = o.getDate("targetTime").toInstant().truncatedTo(ChronoUnit.HOURS);
            List<Object> key = List.of(o.getString("zoneId"), o.getString("target"), o.getInteger("horizonMinutes"),
                    o.getString("modelVersion"), o.getString("role"), hour);
            Sums s = groups.computeIfAbsent(key, k -> new Sums());
            Double actual = o.getDouble("actual");
            if (actual == null) {
                s.expired++;
                return;
            }
            double error = o.getDouble("predicted") - actual;
            s.count++;
            s.abs += Math.abs(error);
            s.squared += error * error;
            s.signed += error;
            Double low = o.getDouble("low");
            Double high = o.getDouble("high");
            if (low != null && high != null) {
                s.withInterval++;
                s.covered += low <= actual && actual <= high ? 1 : 0;
            }
            Double persistence = o.getDouble("persistence");
            if (persistence != null) {
                s.both++;
                s.absBoth += Math.abs(error);
                s.persistenceAbs += Math.abs(persistence - actual);
            }
        }

        public List<Hour> result() {
            List<Hour> hours = new ArrayList<>();
            groups.forEach((k, s) -> {
                Double persistenceMae = s.both == 0 ? null : s.persistenceAbs / s.both;
                Double ratio = s.both == 0 || s.persistenceAbs == 0 ? null : s.absBoth / s.persistenceAbs;
                hours.add(new Hour((String) k.get(0), (String) k.get(1), (Integer) k.get(2), (String) k.get(3), (String) k.get(4),
                        (Instant) k.get(5), s.count, s.expired, s.count == 0 ? null : s.abs / s.count,
                        s.count == 0 ? null : Math.sqrt(s.squared / s.count), s.count == 0 ? null : s.signed / s.count,
                        persistenceMae, ratio, s.withInterval, s.withInterval == 0 ? null : (double) s.covered / s.withInterval));
            });
            hours.sort(Comparator.comparing(Hour::hour).thenComparing(Hour::zoneId).thenComparing(Hour::target)
                    .thenComparing(Hour::modelVersion).thenComparing(Hour::role));
            return hours;
        }
    }

    /** One role's scored prediction of an instant: all the head-to-head needs of its outcome document. */
    private record Scored(double predicted, double actual, String modelVersion) {
    }

    /**
     * Champion against challenger ({@link HeadToHead}), gathered one outcome at a time: each
     * instant's two predictions are kept side by side as three values each, not as their documents.
     */
    public static final class Pairs {

        private final Map<List<Object>, Scored[]> instants = new HashMap<>();

        public void add(Document o) {
            Double actual = o.getDouble("actual");
            int role = switch (String.valueOf(o.getString("role"))) {
                case "champion" -> 0;
                case "challenger" -> 1;
                default -> -1;
            };
            if (actual == null || role < 0) {
                return;
            }
            List<Object> key = List.of(o.getString("zoneId"), o.getString("target"), o.getInteger("horizonMinutes"),
                    o.getDate("targetTime").toInstant());
            instants.computeIfAbsent(key, k -> new Scored[2])[role] = new Scored(o.getDouble("predicted"), actual,
                    o.getString("modelVersion"));
        }

        public List<HeadToHead> result() {
            Map<List<Object>, double[]> sums = new TreeMap<>(Comparator.comparing(Object::toString));
            instants.forEach((key, byRole) -> {
                Scored champion = byRole[0];
                Scored challenger = byRole[1];
                if (champion == null || challenger == null) {
                    return;
                }
                double actual = champion.actual();
                double c = Math.abs(champion.predicted() - actual);
                double x = Math.abs(challenger.predicted() - actual);
                List<Object> group = List.of(key.get(0), key.get(1), key.get(2), champion.modelVersion(),
                        challenger.modelVersion());
                double[] s = sums.computeIfAbsent(group, g -> new double[4]);
                s[0]++;
                s[1] += c;
                s[2] += x;
                s[3] += x < c ? 1 : 0;
            });
            List<HeadToHead> out = new ArrayList<>();
            sums.forEach((g, s) -> out.add(new HeadToHead((String) g.get(0), (String) g.get(1), (Integer) g.get(2),
                    (String) g.get(3), (String) g.get(4), (long) s[0], s[1] / s[0], s[2] / s[0],
                    s[2] == 0 ? Double.POSITIVE_INFINITY : s[1] / s[2], s[3] / s[0])));
            return out;
        }
    }
}
