package dev.greenloop.trainlauncher.promote;

import dev.greenloop.clients.ModelFiles;
import dev.greenloop.closedloop.ClosedLoop;
import dev.greenloop.closedloop.Figures;
import dev.greenloop.closedloop.Forecaster;
import dev.greenloop.closedloop.OnnxForecaster;
import dev.greenloop.control.policy.ZoneSettings;
import dev.greenloop.control.policy.ZoneSettingsDocument;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.trainlauncher.TrainLauncherConfig;
import dev.greenloop.trainlauncher.TrainLauncherException;
import dev.greenloop.trainlauncher.store.TrainingRuns;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.Document;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

/**
 * The closed-loop gate ({@code gate.closed-loop}): the candidate, the champion (or, for a
 * greenhouse's first model, the thermostat) each run the same simulated days in a closed loop
 * ({@link ClosedLoop}), and the candidate passes when it keeps the crop in band at least as well
 * as the baseline, within {@code in-band-margin}, heats no more than {@code energy-margin} above
 * it, and no command it caused broke the envelope. The figures of every run are logged to the
 * candidate's MLflow run ({@code closed_loop_candidate_*}, {@code closed_loop_champion_*},
 * {@code closed_loop_thermostat_*}). Deterministic for a day: the same versions, settings and
 * date give the same verdict (and the reply, once stored, is not judged again).
 */
@ApplicationScoped
public class ClosedLoopGate {

    private static final Logger LOG = Logger.getLogger(ClosedLoopGate.class);

    /** The verdict, the sentence that explains it, and the figures logged. */
    public record Verdict(boolean pass, String reason, Map<String, Double> metrics) {
    }

    private final TrainLauncherConfig.ClosedLoop config;
    private final int horizonMinutes;
    private final TrainingRuns runs;
    private final MlflowRegistry mlflow;
    private final Clock clock;

    public ClosedLoopGate(TrainLauncherConfig config, TrainingRuns runs, MlflowRegistry mlflow, Clock clock) {
        this.config = config.gate().closedLoop();
        this.horizonMinutes = config.horizonMinutes();
        this.runs = runs;
        this.mlflow = mlflow;
        this.clock = clock;
    }

    public boolean enabled() {
        return config.enabled();
    }

    /**
     * Runs the loop and judges {@code candidate} of {@code modelName}, logging the figures to
     * {@code candidateRunId}. A model ONNX Runtime cannot run, or a zone whose settings are
     * invalid, refuses the candidate with the reason (nothing is promoted that was not judged).
     */
    public Verdict judge(String greenhouseId, String modelName, String candidate, String candidateRunId,
                         Optional<String> champion) {
        try {
            return judged(greenhouseId, modelName, candidate, candidateRunId, champion);
        } catch (IllegalArgumentException e) {
            LOG.warnf("Closed-loop gate for %s version %s: %s", modelName, candidate, e.getMessage());
            return new Verdict(false, "the closed-loop gate could not judge it: " + e.getMessage(), Map.of());
        }
    }

    private Verdict judged(String greenhouseId, String modelName, String candidate, String candidateRunId,
                           Optional<String> champion) {
        long started = System.nanoTime();
        ClosedLoop.Setup setup = setup(greenhouseId);
        // The current spec: a model trained on an earlier one reads the first features of its vectors.
        ClosedLoop loop = new ClosedLoop(FeatureSpec.CURRENT);
        Figures thermostat = loop.run(setup, Optional.empty());
        Figures mine = run(loop, setup, modelName, candidate);
        Optional<Figures> theirs = champion.map(v -> run(loop, setup, modelName, v));
        Map<String, Double> metrics = new LinkedHashMap<>(mine.metrics("closed_loop_candidate_"));
        theirs.ifPresent(f -> metrics.putAll(f.metrics("closed_loop_champion_")));
        metrics.putAll(thermostat.metrics("closed_loop_thermostat_"));
        metrics.put("closed_loop_days", setup.length().toMinutes() / 1440.0);
        mlflow.logMetrics(candidateRunId, metrics);

        String days = String.format(Locale.ROOT, "closed loop over %s simulated from %s, %d zone(s)", human(setup.length()),
                setup.start().atOffset(ZoneOffset.UTC).toLocalDate(), setup.zones().size());
        Figures baseline = theirs.orElse(thermostat);
        String against = theirs.isPresent() ? "champion version " + champion.get() : "the thermostat";
        Verdict verdict;
        if (mine.violations() > 0) {
            verdict = new Verdict(false, days + ": " + mine.violations() + " command(s) broke the envelope", metrics);
        } else if (theirs.isEmpty() && !config.judgeFirstModel()) {
            verdict = new Verdict(true, String.format(Locale.ROOT, "%s: %s; the thermostat %s (a first model is not judged"
                    + " on them, gate.closed-loop.judge-first-model)", days, mine.summary(), thermostat.summary()), metrics);
        } else if (mine.inBand() < baseline.inBand() - config.inBandMargin()) {
            verdict = new Verdict(false, String.format(Locale.ROOT, "%s: in band %.1f %% of the time, %.1f points less than"
                    + " %s (%.1f %%; at most %.1f less)", days, 100 * mine.inBand(), 100 * (baseline.inBand() - mine.inBand()),
                    against, 100 * baseline.inBand(), 100 * config.inBandMargin()), metrics);
        } else if (mine.heatingEnergy() > baseline.heatingEnergy() * (1 + config.energyMargin())) {
            verdict = new Verdict(false, String.format(Locale.ROOT, "%s: heating %.0f, %.0f %% more than %s (%.0f; at most"
                    + " %.0f %% more)", days, mine.heatingEnergy(), 100 * (mine.heatingEnergy() / baseline.heatingEnergy() - 1),
                    against, baseline.heatingEnergy(), 100 * config.energyMargin()), metrics);
        } else {
            verdict = new Verdict(true, String.format(Locale.ROOT, "%s: %s; %s %s", days, mine.summary(), against,
                    baseline.summary()), metrics);
        }
        LOG.infof("Closed-loop gate for %s version %s (%.1f s): %s", modelName, candidate, (System.nanoTime() - started) / 1e9,
                verdict.reason());
        return verdict;
    }

    private Figures run(ClosedLoop loop, ClosedLoop.Setup setup, String modelName, String version) {
        String name = modelName + " version " + version;
        FeatureSpec spec = specOf(name, mlflow.versionTags(modelName, version), loop.spec());
        ModelFiles files = mlflow.model(modelName, version);
        try (OnnxForecaster forecaster = files.external().isEmpty()
                ? OnnxForecaster.load(name, files.onnx(), spec, horizonMinutes)
                // Weights in external data: loaded from a directory holding the files, as infer does.
                : files.inDirectory(model -> OnnxForecaster.load(name, model, spec, horizonMinutes))) {
            return loop.run(setup, Optional.<Forecaster>of(forecaster));
        } catch (java.io.IOException e) {
            throw new TrainLauncherException(TrainLauncherException.Kind.DEPENDENCY_FAILED,
                    "cannot write " + name + "'s files to a temporary directory: " + e.getMessage(), e);
        }
    }

    /**
     * The spec a version was trained on (its {@code feature_spec_version} tag; v1 without one, as
     * before the tag), which the loop's spec must start with.
     */
    public static FeatureSpec specOf(String name, Map<String, String> tags, FeatureSpec computed) {
        String version = tags.getOrDefault("feature_spec_version", FeatureSpec.V1.version());
        FeatureSpec spec = FeatureSpec.of(version).orElseThrow(() -> new IllegalArgumentException(name
                + " was trained on feature spec " + version + ", which this build does not compute"));
        if (!computed.extendsSpec(spec)) {
            throw new IllegalArgumentException(name + " was trained on feature spec " + version + "; the closed loop computes "
                    + computed.version() + ", which does not start with it");
        }
        return spec;
    }

    /** The simulated days: the greenhouse's zones and crop, from the day after today. */
    ClosedLoop.Setup setup(String greenhouseId) {
        SortedMap<String, Document> documents = runs.controlZones(greenhouseId);
        Map<String, ZoneSettings> zones = new LinkedHashMap<>();
        documents.entrySet().stream().limit(config.maxZones())
                .forEach(e -> zones.put(e.getKey(), ZoneSettingsDocument.parse(greenhouseId + "/" + e.getKey(), e.getValue())));
        if (zones.isEmpty()) {
            config.defaultZones().forEach(z -> zones.put(z, ZoneSettings.defaults()));
        }
        Instant start = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        return new ClosedLoop.Setup(greenhouseId + "-closed-loop", zones, start, config.length(), Duration.ofHours(2),
                config.seed(), null);
    }

    private static String human(Duration d) {
        return d.toHours() % 24 == 0 ? d.toDays() + " day(s)" : d.toHours() + " h";
    }
}
