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

    public static List<Hour> hourly(List<Document> outcomes) {
        Map<List<Object>, Sums> groups = new TreeMap<>(Comparator.comparing(Object::toString));
        for (Document o : outcomes) {
            Instant hour = o.getDate("targetTime").toInstant().truncatedTo(ChronoUnit.HOURS);
            List<Object> key = List.of(o.getString("zoneId"), o.getString("target"), o.getInteger("horizonMinutes"),
                    o.getString("modelVersion"), o.getString("role"), hour);
            Sums s = groups.computeIfAbsent(key, k -> new Sums());
            Double actual = o.getDouble("actual");
            if (actual == null) {
                s.expired++;
                continue;
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

    public static List<HeadToHead> headToHead(List<Document> outcomes) {
        Map<List<Object>, Map<String, Document>> instants = new HashMap<>();
        for (Document o : outcomes) {
            if (o.getDouble("actual") == null) {
                continue;
            }
            List<Object> key = List.of(o.getString("zoneId"), o.getString("target"), o.getInteger("horizonMinutes"),
                    o.getDate("targetTime").toInstant());
            instants.computeIfAbsent(key, k -> new HashMap<>()).put(o.getString("role"), o);
        }
        Map<List<Object>, double[]> sums = new TreeMap<>(Comparator.comparing(Object::toString));
        instants.forEach((key, byRole) -> {
            Document champion = byRole.get("champion");
            Document challenger = byRole.get("challenger");
            if (champion == null || challenger == null) {
                return;
            }
            double actual = champion.getDouble("actual");
            double c = Math.abs(champion.getDouble("predicted") - actual);
            double x = Math.abs(challenger.getDouble("predicted") - actual);
            List<Object> group = List.of(key.get(0), key.get(1), key.get(2), champion.getString("modelVersion"),
                    challenger.getString("modelVersion"));
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
