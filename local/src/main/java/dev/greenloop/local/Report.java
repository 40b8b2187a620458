package dev.greenloop.local;

import dev.greenloop.events.payload.ControlCommand;
import dev.greenloop.events.payload.ModelPromoted;
import dev.greenloop.events.payload.Prediction;
import dev.greenloop.events.payload.SensorKind;
import dev.greenloop.events.payload.TargetValue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/** The demo's HTML report (self-contained, inline SVG charts) and its short summary. */
public final class Report {

    /** A registered model version with its run's metrics ({@code mae_<target>}, {@code missing_share_<group>}, ...). */
    public record ModelVersion(String version, String aliases, Map<String, Double> metrics) {
        public ModelVersion {
            metrics = Map.copyOf(metrics);
        }

        /** The targets the version was trained on, in the spec's order. */
        public List<String> targets() {
            return List.of("air_temperature", "relative_humidity", "co2").stream()
                    .filter(t -> metrics.containsKey("mae_" + t)).toList();
        }

        public Double mae(String target) {
            return metrics.get("mae_" + target);
        }

        public Double persistenceMae(String target) {
            return metrics.get("mae_persistence_" + target);
        }
    }

    /**
     * What the demo measured. {@code historyPredictions}: predictions on windows of the history,
     * which the Broker delivered to infer only after a model was promoted; they are left out of
     * the live figures (the model may have trained on those very windows). {@code live}: the
     * champion's realised air-temperature accuracy as monitor computes it, null when nothing was
     * scored.
     */
    public record Figures(long readings, int predictions, int historyPredictions, int modelsTrained, int promotions,
                          int commands, int fallbackCommands, int deadLetters, Live live,
                          Duration elapsed, String champion) {
        public Double liveMae() {
            return live == null ? null : live.mae();
        }

        public int liveScored() {
            return live == null ? 0 : (int) live.scored();
        }
    }

    /**
     * The champion's realised accuracy on air temperature over the live phase, from monitor's read
     * API ({@code GET /v1/greenhouses/{id}/accuracy}): the figures production computes.
     *
     * @param expired predictions whose target window never came within monitor's expiry
     */
    public record Live(double mae, Double persistenceMae, long scored, long expired) {

        /** Sums monitor's hourly rows of the champion's air-temperature predictions; null when none was scored. */
        static Live of(com.fasterxml.jackson.databind.JsonNode accuracy) {
            double abs = 0;
            double persistence = 0;
            long scored = 0;
            long expired = 0;
            boolean persistenceKnown = true;
            for (com.fasterxml.jackson.databind.JsonNode h : accuracy.path("hours")) {
                if (!h.path("role").asText().equals("champion") || !h.path("target").asText().equals("air_temperature")) {
                    continue;
                }
                long n = h.path("count").asLong();
                expired += h.path("expired").asLong();
                if (n == 0) {
                    continue;
                }
                scored += n;
                abs += h.path("mae").asDouble() * n;
                if (h.path("persistenceMae").isNumber()) {
                    persistence += h.path("persistenceMae").asDouble() * n;
                } else {
                    persistenceKnown = false;
                }
            }
            return scored == 0 ? null : new Live(abs / scored, persistenceKnown ? persistence / scored : null, scored, expired);
        }
    }

    private Report() {
    }

    /** @param liveFrom the end of the history: predictions for earlier windows are not live */
    public static Figures figures(Gateway gateway, Tap tap, List<ModelVersion> versions, Duration elapsed, Instant liveFrom,
                                  Live live) {
        List<ControlCommand> commands = tap.commands().stream().map(Tap.Seen::payload).toList();
        int history = (int) tap.predictions().stream().filter(p -> p.payload().windowEnd().isBefore(liveFrom)).count();
        return new Figures(gateway.readingsAccepted(), tap.predictions().size(), history, versions.size(), tap.promotions().size(),
                commands.size(), (int) commands.stream().filter(c -> c.mode().wireName().equals("fallback")).count(),
                tap.deadLetters().size(), live, elapsed, champion(versions));
    }

    /** The champion's test figures per target, in one line; empty without a champion. */
    static String champion(List<ModelVersion> versions) {
        return versions.stream().filter(v -> List.of(v.aliases().split(", ")).contains("champion")).findFirst()
                .map(v -> "version " + v.version() + ": " + v.targets().stream().map(t -> String.format(Locale.ROOT,
                        "%s MAE %.3f %s (persistence %.3f)", t, v.mae(t), UNITS.getOrDefault(t, ""),
                        v.persistenceMae(t))).collect(Collectors.joining(", "))).orElse("");
    }

    private static final Map<String, String> UNITS = Map.of("air_temperature", "°C", "relative_humidity", "%", "co2", "ppm");

    private static String percent(Double share) {
        return share == null ? "" : String.format(Locale.ROOT, "%.1f %%", 100 * share);
    }

    public static String summary(Figures f, Path report) {
        return String.format(Locale.ROOT, """
                greenloop demo finished in %d min %02d s
                  readings ingested      %,d
                  models trained         %d (promoted: %d)%s
                  predictions            %,d%s
                  commands               %d (fallback: %d)
                  dead letters           %d
                  report                 %s""", f.elapsed().toMinutes(), f.elapsed().toSecondsPart(), f.readings(),
                f.modelsTrained(), f.promotions(), f.champion().isEmpty() ? "" : "\n  champion               " + f.champion(),
                f.predictions(),
                (f.historyPredictions() == 0 ? "" : String.format(Locale.ROOT, " (%,d on history windows)", f.historyPredictions()))
                        + (f.liveMae() == null ? "" : String.format(Locale.ROOT, "; live air temperature MAE %.2f °C over %d scored",
                        f.liveMae(), f.liveScored())),
                f.commands(), f.fallbackCommands(), f.deadLetters(), report.toAbsolutePath());
    }

    public static void write(Path file, Figures f, Gateway gateway, Tap tap, List<ModelVersion> versions) throws IOException {
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>greenloop demo</title><style>")
                .append("body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}")
                .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}")
                .append("th{background:#f4f4f4}svg{background:#fafafa;border:1px solid #ddd}.l{text-align:left}")
                .append("</style></head><body><h1>greenloop demo</h1>");
        h.append("<p>Readings went through ingest to Kafka, became features in preprocess, a dataset on HDFS, a model "
                + "trained by the trainer and promoted in MLflow by train-launcher; infer predicted on live windows and "
                + "control turned predictions into signed commands that the simulated greenhouse applied.</p>");
        h.append("<table>");
        row(h, "readings ingested", String.format(Locale.ROOT, "%,d", f.readings()));
        row(h, "model versions trained", Integer.toString(f.modelsTrained()));
        row(h, "promotions", Integer.toString(f.promotions()));
        row(h, "predictions", String.format(Locale.ROOT, "%,d", f.predictions()) + (f.historyPredictions() == 0 ? ""
                : String.format(Locale.ROOT, " (%,d on history windows the Broker delivered after the first promotion)",
                f.historyPredictions())));
        row(h, "air temperature MAE of live predictions (°C), realised, as monitor scores them", f.live() == null
                ? "none scored yet: the live phase was shorter than the prediction horizon"
                : String.format(Locale.ROOT, "%.3f over %d (persistence %s; %d expired)", f.live().mae(), f.live().scored(),
                f.live().persistenceMae() == null ? "n/a" : String.format(Locale.ROOT, "%.3f", f.live().persistenceMae()),
                f.live().expired()));
        row(h, "commands (fallback)", f.commands() + " (" + f.fallbackCommands() + ")");
        row(h, "dead letters", Integer.toString(f.deadLetters()));
        row(h, "duration", f.elapsed().toMinutes() + " min " + f.elapsed().toSecondsPart() + " s");
        h.append("</table>");

        h.append("<h2>Model versions</h2><p>Test MAE at +15 min of each trained target against persistence (the value"
                + " now), on the latest 15 % of the version's dataset, and the share of the dataset's rows without actuator"
                + " and weather features.</p><table><tr><th>version</th><th class=l>aliases</th><th class=l>target</th>"
                + "<th>test MAE</th><th>persistence MAE</th><th>vs persistence</th><th>rows without actuators</th>"
                + "<th>rows without weather</th></tr>");
        for (ModelVersion v : versions) {
            List<String> targets = v.targets().isEmpty() ? List.of("air_temperature") : v.targets();
            for (String t : targets) {
                Double mae = v.mae(t);
                Double persistence = v.persistenceMae(t);
                h.append("<tr><td>").append(v.version()).append("</td><td class=l>").append(esc(v.aliases()))
                        .append("</td><td class=l>").append(esc(t)).append(" (").append(UNITS.getOrDefault(t, ""))
                        .append(")</td><td>").append(num(mae)).append("</td><td>").append(num(persistence)).append("</td><td>")
                        .append(mae == null || persistence == null ? "" : mae <= persistence
                                ? String.format(Locale.ROOT, "%.0f %% lower", 100 * (1 - mae / persistence))
                                : String.format(Locale.ROOT, "%.0f %% higher", 100 * (mae / persistence - 1)))
                        .append("</td><td>").append(percent(v.metrics().get("missing_share_actuators")))
                        .append("</td><td>").append(percent(v.metrics().get("missing_share_weather"))).append("</td></tr>");
            }
        }
        h.append("</table>");
        for (Tap.Seen<ModelPromoted> p : tap.promotions()) {
            h.append("<p>Promoted: ").append(esc(p.payload().modelName())).append(" version ")
                    .append(esc(p.payload().modelVersion())).append("</p>");
        }
        for (Tap.Seen<String> t : tap.trainingOutcomes()) {
            h.append("<p><small>").append(esc(t.payload().length() > 300 ? t.payload().substring(0, 300) : t.payload()))
                    .append("</small></p>");
        }

        Instant liveFrom = tap.predictions().stream().map(p -> p.payload().windowEnd()).min(Instant::compareTo)
                .orElse(gateway.simulatedNow()).minus(Duration.ofHours(6));
        Map<String, List<Gateway.Truth>> byZone = gateway.truth().stream().filter(t -> !t.at().isBefore(liveFrom))
                .collect(Collectors.groupingBy(Gateway.Truth::zone, TreeMap::new, Collectors.toList()));
        h.append("<h2>Predicted and actual air temperature</h2><p>Lines: the simulated zones' true air temperature. "
                + "Dots: the champion's prediction, placed at the time it predicts (window end + horizon).</p>");
        for (Map.Entry<String, List<Gateway.Truth>> zone : byZone.entrySet()) {
            List<double[]> actual = zone.getValue().stream().map(t -> new double[]{t.at().toEpochMilli(), t.airTemperature()}).toList();
            List<double[]> predicted = new ArrayList<>();
            for (Tap.Seen<Prediction> p : tap.predictions()) {
                if (p.payload().zoneId().equals(zone.getKey())) {
                    for (TargetValue v : p.payload().values()) {
                        if (v.target() == SensorKind.AIR_TEMPERATURE) {
                            predicted.add(new double[]{p.payload().windowEnd().plus(Duration.ofMinutes(v.horizonMinutes()))
                                    .toEpochMilli(), v.value()});
                        }
                    }
                }
            }
            h.append("<h3>").append(esc(zone.getKey())).append("</h3>").append(chart(actual, predicted, "°C"));
        }

        h.append("<h2>Commands</h2><table><tr><th>time</th><th class=l>zone</th><th class=l>actuator</th><th>value</th>"
                + "<th class=l>mode</th><th class=l>reason</th><th class=l>gateway</th></tr>");
        Map<String, String> outcomes = new LinkedHashMap<>();
        gateway.applied().forEach(a -> outcomes.put(a.command().commandId(), a.outcome()));
        for (Tap.Seen<ControlCommand> c : tap.commands()) {
            ControlCommand cmd = c.payload();
            h.append("<tr><td>").append(cmd.signature().issuedAt()).append("</td><td class=l>").append(esc(cmd.zoneId()))
                    .append("</td><td class=l>").append(cmd.actuator().wireName()).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.1f %s", cmd.value(), esc(cmd.unit()))).append("</td><td class=l>")
                    .append(cmd.mode().wireName()).append("</td><td class=l>").append(esc(cmd.reason())).append("</td><td class=l>")
                    .append(esc(outcomes.getOrDefault(cmd.commandId(), "not seen"))).append("</td></tr>");
        }
        h.append("</table>");
        Map<String, Long> fallbacks = tap.commands().stream().map(c -> c.payload().reason())
                .filter(r -> r.startsWith("fallback ("))
                .collect(Collectors.groupingBy(r -> r.substring("fallback (".length(), r.indexOf(')')), TreeMap::new,
                        Collectors.counting()));
        h.append("<h2>Fallbacks</h2>").append(fallbacks.isEmpty() ? "<p>None: every command followed a prediction.</p>"
                : "<p>" + esc(fallbacks.toString()) + " (commands by reason)</p>");
        h.append("</body></html>");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, h.toString());
    }

    private static String chart(List<double[]> line, List<double[]> dots, String unit) {
        int w = 1000;
        int ht = 260;
        int pad = 40;
        List<double[]> all = new ArrayList<>(line);
        all.addAll(dots);
        if (all.isEmpty()) {
            return "<p>no data</p>";
        }
        double x0 = all.stream().mapToDouble(p -> p[0]).min().orElse(0);
        double x1 = Math.max(x0 + 1, all.stream().mapToDouble(p -> p[0]).max().orElse(1));
        double y0 = Math.floor(all.stream().mapToDouble(p -> p[1]).min().orElse(0)) - 0.5;
        double y1 = Math.ceil(all.stream().mapToDouble(p -> p[1]).max().orElse(1)) + 0.5;
        ToDoubleFunction<Double> sx = x -> pad + (x - x0) / (x1 - x0) * (w - 2 * pad);
        ToDoubleFunction<Double> sy = y -> ht - pad - (y - y0) / (y1 - y0) * (ht - 2 * pad);
        StringBuilder s = new StringBuilder("<svg width=\"" + w + "\" height=\"" + ht + "\" viewBox=\"0 0 " + w + " " + ht + "\">");
        s.append("<polyline fill=\"none\" stroke=\"#2a7\" stroke-width=\"1.5\" points=\"");
        for (double[] p : line) {
            s.append(String.format(Locale.ROOT, "%.1f,%.1f ", sx.applyAsDouble(p[0]), sy.applyAsDouble(p[1])));
        }
        s.append("\"/>");
        for (double[] p : dots) {
            s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#d52\"/>", sx.applyAsDouble(p[0]),
                    sy.applyAsDouble(p[1])));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"%d\" font-size=\"11\">%.1f %s</text>", pad, y1, unit));
        s.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"%d\" font-size=\"11\">%.1f %s</text>", ht - pad, y0, unit));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>", pad, ht - 8,
                Instant.ofEpochMilli((long) x0)));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s</text>", w - pad,
                ht - 8, Instant.ofEpochMilli((long) x1)));
        return s.append("</svg>").toString();
    }

    private static void row(StringBuilder h, String k, String v) {
        h.append("<tr><th class=l>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>");
    }

    private static String num(Double v) {
        return v == null ? "" : String.format(Locale.ROOT, "%.3f", v);
    }

    static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
