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

        /** Whether the version forecasts {@code target} (the trainer's {@code served_<target>}; trained means served before it). */
        public boolean serves(String target) {
            Double served = metrics.get("served_" + target);
            return metrics.containsKey("mae_" + target) && (served == null || served == 1.0);
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
                          Duration elapsed, String champion, Map<String, Live> liveByZone,
                          Map<String, Live> liveByVersion, LivePhase.Run run, List<Outcome> outcomes) {
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
     * @param expired  predictions whose target window never came within monitor's expiry
     * @param coverage the share of measured values inside the prediction interval, over the
     *                 scored predictions that had one; null when none had
     */
    public record Live(double mae, Double persistenceMae, long scored, long expired, Double coverage) {

        /** Sums monitor's hourly rows of the champion's air-temperature predictions; null when none was scored. */
        static Live of(com.fasterxml.jackson.databind.JsonNode accuracy) {
            return of(accuracy, null);
        }

        /** As {@link #of(com.fasterxml.jackson.databind.JsonNode)}, per model version, in version order. */
        static Map<String, Live> byVersion(com.fasterxml.jackson.databind.JsonNode accuracy) {
            Map<String, Live> out = new TreeMap<>(java.util.Comparator.comparingInt(Integer::parseInt));
            for (com.fasterxml.jackson.databind.JsonNode h : accuracy.path("hours")) {
                String v = h.path("modelVersion").asText();
                if (!v.isEmpty() && !out.containsKey(v)) {
                    Live live = of(accuracy, v);
                    if (live != null) {
                        out.put(v, live);
                    }
                }
            }
            return out;
        }

        private static Live of(com.fasterxml.jackson.databind.JsonNode accuracy, String version) {
            double abs = 0;
            double persistence = 0;
            long scored = 0;
            long expired = 0;
            long withInterval = 0;
            double covered = 0;
            boolean persistenceKnown = true;
            for (com.fasterxml.jackson.databind.JsonNode h : accuracy.path("hours")) {
                if (!h.path("role").asText().equals("champion") || !h.path("target").asText().equals("air_temperature")
                        || version != null && !version.equals(h.path("modelVersion").asText())) {
                    continue;
                }
                long n = h.path("count").asLong();
                expired += h.path("expired").asLong();
                if (n == 0) {
                    continue;
                }
                scored += n;
                abs += h.path("mae").asDouble() * n;
                if (h.path("coverage").isNumber()) {
                    withInterval += h.path("withInterval").asLong();
                    covered += h.path("coverage").asDouble() * h.path("withInterval").asLong();
                }
                if (h.path("persistenceMae").isNumber()) {
                    persistence += h.path("persistenceMae").asDouble() * n;
                } else {
                    persistenceKnown = false;
                }
            }
            return scored == 0 ? null : new Live(abs / scored, persistenceKnown ? persistence / scored : null, scored, expired,
                    withInterval == 0 ? null : covered / withInterval);
        }
    }

    private Report() {
    }

    /** @param liveFrom the end of the history: predictions for earlier windows are not live */
    public static Figures figures(Gateway gateway, Tap tap, List<ModelVersion> versions, Duration elapsed, Instant liveFrom,
                                  Live live, Map<String, Live> liveByZone, Map<String, Live> liveByVersion,
                                  LivePhase.Run run, List<Outcome> outcomes) {
        List<ControlCommand> commands = tap.commands().stream().map(Tap.Seen::payload)
                .filter(c -> c.greenhouseId().equals(gateway.greenhouseId())).toList();
        int history = (int) tap.predictions().stream().filter(p -> p.payload().windowEnd().isBefore(liveFrom)).count();
        return new Figures(gateway.readingsAccepted(), tap.predictions().size(), history, versions.size(), tap.promotions().size(),
                commands.size(), (int) commands.stream().filter(c -> c.mode().wireName().equals("fallback")).count(),
                tap.deadLetters().size(), live, elapsed, champion(versions), liveByZone, liveByVersion, run,
                outcomes);
    }

    /** The champion's test figures per target, in one line; empty without a champion. */
    static String champion(List<ModelVersion> versions) {
        return versions.stream().filter(v -> List.of(v.aliases().split(", ")).contains("champion")).findFirst()
                .map(v -> "version " + v.version() + ": " + v.targets().stream().filter(v::serves).map(t -> String.format(Locale.ROOT,
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
                  dead letters           %d%s
                  report                 %s""", f.elapsed().toMinutes(), f.elapsed().toSecondsPart(), f.readings(),
                f.modelsTrained(), f.promotions(), f.champion().isEmpty() ? "" : "\n  champion               " + f.champion(),
                f.predictions(),
                (f.historyPredictions() == 0 ? "" : String.format(Locale.ROOT, " (%,d on history windows)", f.historyPredictions()))
                        + (f.liveMae() == null ? "" : String.format(Locale.ROOT, "; live air temperature MAE %.2f °C over %d scored",
                        f.liveMae(), f.liveScored())),
                f.commands(), f.fallbackCommands(), f.deadLetters(), liveSummary(f), report.toAbsolutePath());
    }

    private static String liveSummary(Figures f) {
        StringBuilder s = new StringBuilder();
        if (f.run() != null) {
            s.append(String.format(Locale.ROOT, "%n  live phase             %d simulated h in %d s (%.0f× real time)",
                    Duration.between(f.run().from(), f.run().to()).toHours(), f.run().real().toSeconds(), f.run().speed()));
        }
        for (Outcome o : f.outcomes()) {
            s.append(String.format(Locale.ROOT, "%n  %-22s %.1f %% in band, %.1f °C·h outside, heating %.0f, CO2 %.0f,"
                            + " %d switches, %d envelope violations", o.greenhouse(), 100 * o.inBand(), o.degreeHoursOutside(),
                    o.heatingEnergy(), o.co2Dosed(), o.switches(), o.violations().size()));
        }
        return s.toString();
    }

    /**
     * What Prometheus made of the run: {@code running} when it ran beside the stack with the
     * shipped alerts, {@code note} saying how it ran (or why it did not), and the alerts it raised.
     */
    public record Alerts(boolean running, String note, List<LocalPrometheus.Alert> raised) {
    }

    public static void write(Path file, Figures f, Gateway gateway, Gateway baseline, Tap tap, List<ModelVersion> versions,
                             Alerts alerts) throws IOException {
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
                ? "none scored: the live phase was shorter than the prediction horizon"
                : String.format(Locale.ROOT, "%.3f over %d (persistence %s; %d expired)", f.live().mae(), f.live().scored(),
                f.live().persistenceMae() == null ? "n/a" : String.format(Locale.ROOT, "%.3f", f.live().persistenceMae()),
                f.live().expired()));
        row(h, "commands (fallback)", f.commands() + " (" + f.fallbackCommands() + ")");
        row(h, "dead letters", Integer.toString(f.deadLetters()));
        row(h, "duration", f.elapsed().toMinutes() + " min " + f.elapsed().toSecondsPart() + " s");
        h.append("</table>");
        liveSections(h, f);

        h.append("<h2>Model versions</h2><p>Test MAE at +15 min of each trained target against persistence (the value"
                + " now), on the latest 15 % of the version's dataset, and the share of the dataset's rows without actuator"
                + " and weather features. A version forecasts only the targets at least 10 % below persistence (served);"
                + " control steers the others on their measured values.</p><table><tr><th>version</th><th class=l>aliases</th>"
                + "<th class=l>target</th><th class=l>served</th><th>test MAE</th><th>persistence MAE</th><th>vs persistence</th><th>rows without actuators</th>"
                + "<th>rows without weather</th></tr>");
        for (ModelVersion v : versions) {
            List<String> targets = v.targets().isEmpty() ? List.of("air_temperature") : v.targets();
            for (String t : targets) {
                Double mae = v.mae(t);
                Double persistence = v.persistenceMae(t);
                h.append("<tr><td>").append(v.version()).append("</td><td class=l>").append(esc(v.aliases()))
                        .append("</td><td class=l>").append(esc(t)).append(" (").append(UNITS.getOrDefault(t, ""))
                        .append(")</td><td class=l>").append(v.serves(t) ? "yes" : "no").append("</td><td>").append(num(mae)).append("</td><td>").append(num(persistence)).append("</td><td>")
                        .append(mae == null || persistence == null ? "" : mae <= persistence
                                ? String.format(Locale.ROOT, "%.0f %% lower", 100 * (1 - mae / persistence))
                                : String.format(Locale.ROOT, "%.0f %% higher", 100 * (mae / persistence - 1)))
                        .append("</td><td>").append(percent(v.metrics().get("missing_share_actuators")))
                        .append("</td><td>").append(percent(v.metrics().get("missing_share_weather"))).append("</td></tr>");
            }
        }
        h.append("</table>");
        trainingRuns(h, tap, f.run());

        Instant liveFrom = f.run() != null ? f.run().from() : tap.predictions().stream().map(p -> p.payload().windowEnd())
                .min(Instant::compareTo).orElse(gateway.simulatedNow()).minus(Duration.ofHours(6));
        Map<String, List<Gateway.Truth>> byZone = gateway.truth().stream().filter(t -> !t.at().isBefore(liveFrom))
                .collect(Collectors.groupingBy(Gateway.Truth::zone, TreeMap::new, Collectors.toList()));
        Map<String, List<Gateway.Truth>> baselineByZone = baseline == null ? Map.of() : baseline.truth().stream()
                .filter(t -> !t.at().isBefore(liveFrom))
                .collect(Collectors.groupingBy(Gateway.Truth::zone, TreeMap::new, Collectors.toList()));
        h.append("<h2>Predicted and actual air temperature</h2><p>Green line: the zone's true air temperature under the"
                + " loop; grey line: the same zone under the thermostat alone; shaded: the crop's band (day or night). Red"
                + " dots: the champion's prediction, placed at the time it predicts (window end + horizon). Ticks along the"
                + " bottom: the loop's commands to this zone (blue: predictive, orange: fallback).</p>");
        for (Map.Entry<String, List<Gateway.Truth>> zone : byZone.entrySet()) {
            List<double[]> actual = points(zone.getValue());
            List<double[]> other = points(baselineByZone.getOrDefault(zone.getKey(), List.of()));
            List<double[]> predicted = new ArrayList<>();
            for (Tap.Seen<Prediction> p : tap.predictions()) {
                if (p.payload().zoneId().equals(zone.getKey()) && !p.payload().windowEnd().isBefore(liveFrom)) {
                    for (TargetValue v : p.payload().values()) {
                        if (v.target() == SensorKind.AIR_TEMPERATURE) {
                            predicted.add(new double[]{p.payload().windowEnd().plus(Duration.ofMinutes(v.horizonMinutes()))
                                    .toEpochMilli(), v.value()});
                        }
                    }
                }
            }
            List<double[]> commands = tap.commands().stream().map(Tap.Seen::payload)
                    .filter(c -> c.greenhouseId().equals(gateway.greenhouseId()) && c.zoneId().equals(zone.getKey())
                            && !c.signature().issuedAt().isBefore(liveFrom))
                    .map(c -> new double[]{c.signature().issuedAt().toEpochMilli(), c.mode().wireName().equals("fallback") ? 1 : 0})
                    .toList();
            h.append("<h3>").append(esc(zone.getKey())).append("</h3>")
                    .append(chart(actual, other, predicted, commands, "°C"));
        }

        h.append("<h2>Commands of the loop</h2><table><tr><th>time</th><th class=l>zone</th><th class=l>actuator</th><th>value</th>"
                + "<th class=l>mode</th><th class=l>reason</th><th class=l>gateway</th></tr>");
        Map<String, String> outcomes = new LinkedHashMap<>();
        gateway.applied().forEach(a -> outcomes.put(a.command().commandId(), a.outcome()));
        List<Tap.Seen<ControlCommand>> loopCommands = tap.commands().stream()
                .filter(c -> c.payload().greenhouseId().equals(gateway.greenhouseId())).toList();
        int shown = Math.min(loopCommands.size(), 300);
        for (Tap.Seen<ControlCommand> c : loopCommands.subList(loopCommands.size() - shown, loopCommands.size())) {
            ControlCommand cmd = c.payload();
            h.append("<tr><td>").append(cmd.signature().issuedAt()).append("</td><td class=l>").append(esc(cmd.zoneId()))
                    .append("</td><td class=l>").append(cmd.actuator().wireName()).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.1f %s", cmd.value(), esc(cmd.unit()))).append("</td><td class=l>")
                    .append(cmd.mode().wireName()).append("</td><td class=l>").append(esc(cmd.reason())).append("</td><td class=l>")
                    .append(esc(outcomes.getOrDefault(cmd.commandId(), "not seen"))).append("</td></tr>");
        }
        h.append("</table>");
        if (shown < loopCommands.size()) {
            h.append("<p>The last ").append(shown).append(" of ").append(loopCommands.size()).append(" commands.</p>");
        }
        Map<String, Long> fallbacks = loopCommands.stream().map(c -> c.payload().reason())
                .filter(r -> r.startsWith("fallback ("))
                .collect(Collectors.groupingBy(r -> r.substring("fallback (".length(), r.indexOf(')')), TreeMap::new,
                        Collectors.counting()));
        h.append("<h2>Fallbacks</h2>").append(fallbacks.isEmpty() ? "<p>None: every command followed a prediction.</p>"
                : "<p>" + esc(fallbacks.toString()) + " (commands by reason)</p>");
        alerts(h, alerts);
        h.append("</body></html>");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, h.toString());
    }

    private static List<double[]> points(List<Gateway.Truth> truth) {
        return truth.stream().map(t -> new double[]{t.at().toEpochMilli(), t.airTemperature()}).toList();
    }

    /** A line, a second line, dots, the band behind them and command ticks (second value 1: fallback) below. */
    private static String chart(List<double[]> line, List<double[]> other, List<double[]> dots, List<double[]> ticks,
                                String unit) {
        int w = 1000;
        int ht = 280;
        int pad = 40;
        List<double[]> all = new ArrayList<>(line);
        all.addAll(other);
        all.addAll(dots);
        if (all.isEmpty()) {
            return "<p>no data</p>";
        }
        double x0 = all.stream().mapToDouble(p -> p[0]).min().orElse(0);
        double x1 = Math.max(x0 + 1, all.stream().mapToDouble(p -> p[0]).max().orElse(1));
        double y0 = Math.floor(Math.min(DemoZones.NIGHT.low(), all.stream().mapToDouble(p -> p[1]).min().orElse(0))) - 0.5;
        double y1 = Math.ceil(Math.max(DemoZones.DAY.high(), all.stream().mapToDouble(p -> p[1]).max().orElse(1))) + 0.5;
        ToDoubleFunction<Double> sx = x -> pad + (x - x0) / (x1 - x0) * (w - 2 * pad);
        ToDoubleFunction<Double> sy = y -> ht - pad - (y - y0) / (y1 - y0) * (ht - 2 * pad);
        StringBuilder s = new StringBuilder("<svg width=\"" + w + "\" height=\"" + ht + "\" viewBox=\"0 0 " + w + " " + ht + "\">");
        // The band, minute by minute as day and night change.
        s.append("<path fill=\"#e3f3e8\" d=\"");
        long step = 600_000;
        for (long t = (long) x0; t <= (long) x1; t += step) {
            DemoZones.Band b = DemoZones.band(Instant.ofEpochMilli(t));
            double xa = sx.applyAsDouble((double) t);
            double xb = sx.applyAsDouble((double) Math.min((long) x1, t + step));
            s.append(String.format(Locale.ROOT, "M%.1f,%.1fH%.1fV%.1fH%.1fZ", xa, sy.applyAsDouble(b.high()), xb,
                    sy.applyAsDouble(b.low()), xa));
        }
        s.append("\"/>");
        polyline(s, other, sx, sy, "#999");
        polyline(s, line, sx, sy, "#2a7");
        for (double[] p : dots) {
            s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"#d52\"/>",
                    sx.applyAsDouble(p[0]), sy.applyAsDouble(p[1])));
        }
        for (double[] t : ticks) {
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"%s\"/>",
                    sx.applyAsDouble(t[0]), sx.applyAsDouble(t[0]), ht - pad + 2, ht - pad + 10, t[1] > 0 ? "#e80" : "#36c"));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"%d\" font-size=\"11\">%.1f %s</text>", pad, y1, unit));
        s.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"%d\" font-size=\"11\">%.1f %s</text>", ht - pad, y0, unit));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>", pad, ht - 8,
                Instant.ofEpochMilli((long) x0)));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s</text>", w - pad,
                ht - 8, Instant.ofEpochMilli((long) x1)));
        return s.append("</svg>").toString();
    }

    private static void polyline(StringBuilder s, List<double[]> line, ToDoubleFunction<Double> sx, ToDoubleFunction<Double> sy,
                                 String colour) {
        if (line.isEmpty()) {
            return;
        }
        s.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"1.5\" points=\"");
        for (double[] p : line) {
            s.append(String.format(Locale.ROOT, "%.1f,%.1f ", sx.applyAsDouble(p[0]), sy.applyAsDouble(p[1])));
        }
        s.append("\"/>");
    }

    /** The live phase, the loop against the thermostat, and realised accuracy per zone and per model version. */
    private static void liveSections(StringBuilder h, Figures f) {
        if (f.run() != null) {
            LivePhase.Run r = f.run();
            h.append(String.format(Locale.ROOT, "<h2>Live phase</h2><p>%d simulated hours, %s to %s, in %d s of real time"
                            + " (%.0f× real time; %d s of it held while a training run was active, as training is not"
                            + " simulated). Time moved one minute at a time and held until every event of the minute was"
                            + " handled and every command applied; %d of %d minutes went on without settling within 10 s."
                            + " Before the first step, %d s went to the events the history left in flight.</p>",
                    Duration.between(r.from(), r.to()).toHours(), r.from(), r.to(), r.real().toSeconds(), r.speed(),
                    r.heldForTraining().toSeconds(), r.unsettled(), r.steps(), r.drained().toSeconds()));
        }
        if (!f.outcomes().isEmpty()) {
            h.append("<h2>The loop against the thermostat</h2><p>The same weather, seed and zones; one greenhouse under the"
                    + " loop, its twin under control's fallback rules alone. Band: ").append(esc(DemoZones.DAY.low() + "–"
                    + DemoZones.DAY.high() + " °C from " + DemoZones.DAY_START_HOUR + ":00 to " + DemoZones.DAY_END_HOUR
                    + ":00 UTC, " + DemoZones.NIGHT.low() + "–" + DemoZones.NIGHT.high() + " °C at night"))
                    .append("; true air temperature, every simulated minute of every zone. Energy and CO2 in the simulator's"
                            + " units.</p><table><tr><th class=l></th>");
            f.outcomes().forEach(o -> h.append("<th>").append(esc(o.greenhouse() + ": " + o.control())).append("</th>"));
            h.append("</tr>");
            outcomeRow(h, f, "time in band", o -> String.format(Locale.ROOT, "%.1f %%", 100 * o.inBand()));
            outcomeRow(h, f, "degree-hours outside the band (°C·h)", o -> String.format(Locale.ROOT, "%.1f",
                    o.degreeHoursOutside()));
            outcomeRow(h, f, "heating energy", o -> String.format(Locale.ROOT, "%.0f", o.heatingEnergy()));
            outcomeRow(h, f, "CO2 dosed", o -> String.format(Locale.ROOT, "%.0f", o.co2Dosed()));
            outcomeRow(h, f, "actuator switches (of them fallback)", o -> o.switches() + " (" + o.fallbackSwitches() + ")");
            outcomeRow(h, f, "envelope violations", o -> Integer.toString(o.violations().size()));
            h.append("</table>");
            f.outcomes().stream().flatMap(o -> o.violations().stream()).limit(20)
                    .forEach(v -> h.append("<p>Violation: ").append(esc(v)).append("</p>"));
        }
        if (!f.liveByZone().isEmpty() || !f.liveByVersion().isEmpty()) {
            h.append("<h2>Realised forecast accuracy</h2><p>Air temperature at +15 min, every live prediction of the"
                    + " champion scored by monitor against what was measured, and persistence (the value at prediction"
                    + " time) on the same instants.</p><table><tr><th class=l></th><th>scored</th><th>MAE (°C)</th>"
                    + "<th>persistence MAE (°C)</th><th>vs persistence</th><th>inside the interval</th></tr>");
            f.liveByZone().forEach((zone, live) -> accuracyRow(h, "zone " + zone, live));
            f.liveByVersion().forEach((version, live) -> accuracyRow(h, "model version " + version, live));
            h.append("</table>");
        }
    }

    /** Training runs and promotions on a timeline, then as a table (what each run ended with, in words). */
    /** A training run's end as the tap saw it: its event type and body. */
    private record Ended(Instant at, String type, com.fasterxml.jackson.databind.JsonNode body) {

        static Ended of(Tap.Seen<String> seen) {
            String type = seen.payload().substring(0, seen.payload().indexOf(' '));
            com.fasterxml.jackson.databind.JsonNode body;
            try {
                body = dev.greenloop.events.json.EventJson.mapper().readTree(seen.payload().substring(type.length() + 1));
            } catch (IOException e) {
                body = com.fasterxml.jackson.databind.node.MissingNode.getInstance();
            }
            return new Ended(seen.at(), type, body);
        }

        boolean promoted() {
            return body.path("promoted").asBoolean(false);
        }
    }

    private static void alerts(StringBuilder h, Alerts alerts) {
        h.append("<h2>Alerts</h2><p>").append(esc(alerts.note())).append("</p>");
        if (!alerts.running()) {
            return;
        }
        if (alerts.raised().isEmpty()) {
            h.append("<p>None went pending or fired.</p>");
            return;
        }
        h.append("<table><tr><th class=l>alert</th><th class=l>labels</th><th class=l>state</th><th>first seen</th>"
                + "<th class=l>summary</th></tr>");
        for (LocalPrometheus.Alert a : alerts.raised()) {
            h.append("<tr><td class=l>").append(esc(a.name())).append("</td><td class=l>").append(esc(a.labels().toString()))
                    .append("</td><td class=l>").append(esc(a.state())).append("</td><td>").append(a.firstSeen())
                    .append("</td><td class=l>").append(esc(a.summary())).append("</td></tr>");
        }
        h.append("</table>");
    }

    private static void trainingRuns(StringBuilder h, Tap tap, LivePhase.Run run) {
        List<Ended> outcomes = tap.trainingOutcomes().stream().map(Ended::of).toList();
        List<Tap.Seen<ModelPromoted>> promotions = tap.promotions();
        h.append("<h2>Training runs and promotions</h2>");
        if (outcomes.isEmpty() && promotions.isEmpty()) {
            h.append("<p>None.</p>");
            return;
        }
        List<Instant> times = new ArrayList<>();
        outcomes.forEach(o -> times.add(o.at()));
        promotions.forEach(p -> times.add(p.at()));
        if (run != null) {
            times.add(run.from());
            times.add(run.to());
        }
        double x0 = times.stream().mapToLong(Instant::toEpochMilli).min().orElse(0);
        double x1 = Math.max(x0 + 1, times.stream().mapToLong(Instant::toEpochMilli).max().orElse(1));
        int w = 1000;
        int pad = 40;
        ToDoubleFunction<Double> sx = x -> pad + (x - x0) / (x1 - x0) * (w - 2 * pad);
        StringBuilder s = new StringBuilder("<svg width=\"" + w + "\" height=\"90\" viewBox=\"0 0 " + w + " 90\">");
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"45\" y2=\"45\" stroke=\"#999\"/>", pad, w - pad));
        if (run != null) {
            double a = sx.applyAsDouble((double) run.from().toEpochMilli());
            double b = sx.applyAsDouble((double) run.to().toEpochMilli());
            s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"38\" width=\"%.1f\" height=\"14\" fill=\"#e3f3e8\"/>"
                    + "<text x=\"%.1f\" y=\"64\" font-size=\"11\">live phase</text>", a, Math.max(1, b - a), a));
        }
        for (Ended o : outcomes) {
            s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"45\" r=\"4\" fill=\"%s\"/>",
                    sx.applyAsDouble((double) o.at().toEpochMilli()), o.promoted() ? "#2a7" : "#999"));
        }
        for (Tap.Seen<ModelPromoted> p : promotions) {
            double x = sx.applyAsDouble((double) p.at().toEpochMilli());
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"20\" y2=\"45\" stroke=\"#2a7\"/>"
                    + "<text x=\"%.1f\" y=\"16\" font-size=\"11\" text-anchor=\"middle\">v%s champion</text>", x, x, x,
                    esc(p.payload().modelVersion())));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"84\" font-size=\"11\">%s</text>", pad,
                Instant.ofEpochMilli((long) x0)));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"84\" font-size=\"11\" text-anchor=\"end\">%s</text>",
                w - pad, Instant.ofEpochMilli((long) x1)));
        h.append(s).append("</svg>");
        h.append("<table><tr><th>time</th><th class=l>outcome</th><th>version</th><th class=l>promoted</th>"
                + "<th class=l>why</th></tr>");
        // A run that promotes announces model.promoted; one that does not, training.completed or .failed.
        Map<Instant, String> rows = new TreeMap<>();
        for (Tap.Seen<ModelPromoted> p : promotions) {
            rows.put(p.at(), "<tr><td>" + p.at() + "</td><td class=l>completed</td><td>" + esc(p.payload().modelVersion())
                    + "</td><td class=l>yes</td><td class=l>" + esc((p.payload().previousVersion() == null
                    ? "the first champion" : "replaces version " + p.payload().previousVersion())
                    + closedLoop(p.payload().metrics())) + "</td></tr>");
        }
        for (Ended o : outcomes) {
            rows.merge(o.at(), "<tr><td>" + o.at() + "</td><td class=l>" + (o.type().contains("failed") ? "failed" : "completed")
                    + "</td><td>" + esc(o.body().path("modelVersion").asText("")) + "</td><td class=l>"
                    + (o.promoted() ? "yes" : "no") + "</td><td class=l>"
                    + esc(o.body().path("reason").asText("")) + "</td></tr>", String::concat);
        }
        rows.values().forEach(h::append);
        h.append("</table>");
    }

    /** The closed-loop gate's figures a promotion carries, as a sentence ("" when the gate was off). */
    static String closedLoop(Map<String, Double> m) {
        Double inBand = m.get("closed_loop_candidate_in_band");
        if (inBand == null) {
            return "";
        }
        String base = m.containsKey("closed_loop_champion_in_band") ? "champion" : "thermostat";
        return String.format(Locale.ROOT, "; closed loop over %.0f simulated day(s): %.1f %% in band, heating %.0f (the %s: %.1f %%,"
                + " %.0f)", m.getOrDefault("closed_loop_days", 0.0), 100 * inBand,
                m.getOrDefault("closed_loop_candidate_heating_energy", Double.NaN), base,
                100 * m.getOrDefault("closed_loop_" + base + "_in_band", Double.NaN),
                m.getOrDefault("closed_loop_" + base + "_heating_energy", Double.NaN));
    }

    private static void outcomeRow(StringBuilder h, Figures f, String what, java.util.function.Function<Outcome, String> value) {
        h.append("<tr><th class=l>").append(esc(what)).append("</th>");
        f.outcomes().forEach(o -> h.append("<td>").append(esc(value.apply(o))).append("</td>"));
        h.append("</tr>");
    }

    private static void accuracyRow(StringBuilder h, String what, Live live) {
        h.append("<tr><th class=l>").append(esc(what)).append("</th>");
        if (live == null) {
            h.append("<td>0</td><td></td><td></td><td></td><td></td></tr>");
            return;
        }
        h.append("<td>").append(live.scored()).append("</td><td>").append(num(live.mae())).append("</td><td>")
                .append(num(live.persistenceMae())).append("</td><td>").append(live.persistenceMae() == null
                        || live.persistenceMae() == 0 ? "" : String.format(Locale.ROOT, "%.2f×", live.mae() / live.persistenceMae()))
                .append("</td><td>").append(live.coverage() == null ? "" : String.format(Locale.ROOT, "%.1f %%", 100 * live.coverage()))
                .append("</td></tr>");
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
