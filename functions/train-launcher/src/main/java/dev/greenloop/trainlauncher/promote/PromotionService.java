package dev.greenloop.trainlauncher.promote;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.events.Events;
import dev.greenloop.events.json.EventJson;
import dev.greenloop.events.payload.EventPayload;
import dev.greenloop.events.payload.DriftDetected;
import dev.greenloop.events.payload.ModelPromoted;
import dev.greenloop.events.payload.TrainingCompleted;
import dev.greenloop.events.payload.TrainingFailed;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.trainlauncher.TrainLauncherConfig;
import dev.greenloop.trainlauncher.TrainLauncherException;
import dev.greenloop.trainlauncher.TrainLauncherException.Kind;
import dev.greenloop.trainlauncher.store.TrainingRuns;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.Document;
import org.jboss.logging.Logger;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What happens when a training Job ends: on success the gate decides (and, with
 * {@code gate.closed-loop}, the closed-loop gate after it), and a promotion moves
 * alias {@code champion} to the candidate (the old champion keeps alias {@code previous}) and
 * replies {@code model.promoted}; otherwise {@code training.completed} with the reason. A failed
 * Job replies {@code training.failed} with the reason from its conditions. The reply is stored
 * with the run, so handling the same status event again replies the same and moves nothing.
 */
@ApplicationScoped
public class PromotionService {

    public static final URI SOURCE = URI.create("/greenloop/train-launcher");
    private static final Logger LOG = Logger.getLogger(PromotionService.class);

    private final TrainingRuns runs;
    private final MlflowRegistry mlflow;
    private final PromotionGate gate;
    private final MeterRegistry metrics;
    private final boolean realisedEvidence;
    private final ClosedLoopGate closedLoop;

    public PromotionService(TrainingRuns runs, MlflowRegistry mlflow, TrainLauncherConfig config, MeterRegistry metrics,
                            ClosedLoopGate closedLoop) {
        this.runs = runs;
        this.mlflow = mlflow;
        this.closedLoop = closedLoop;
        this.realisedEvidence = config.gate().realisedEvidence();
        this.gate = new PromotionGate(config.targets(), config.gate().persistenceMargin());
        this.metrics = metrics;
    }

    /** The reply to a Job status event, or {@code NO_REPLY} while the Job runs or when it is not ours. */
    public CloudEvent handle(JsonNode job, String statusEventId, Map<String, String> extensions) {
        JobOutcome outcome = JobOutcome.of(job).orElseThrow(() -> new TrainLauncherException(Kind.NO_REPLY,
                "Job " + job.path("metadata").path("name").asText("?") + " has not finished"));
        if (outcome.greenhouseId() == null || outcome.runId() == null || outcome.modelName() == null) {
            throw new TrainLauncherException(Kind.NO_REPLY, "Job " + outcome.jobName() + " was not launched by greenloop");
        }
        Optional<Document> run = runs.run(outcome.jobName());
        if (run.isPresent() && run.get().get("reply") instanceof Document stored) {
            return replay(stored);
        }
        EventPayload payload;
        String status;
        if (!outcome.succeeded()) {
            mlflow.markFailed(outcome.runId());
            payload = new TrainingFailed(outcome.greenhouseId(), outcome.runId(), outcome.jobName(),
                    abbreviate(outcome.reason() + ": " + outcome.message()), outcome.retriable());
            status = "failed";
        } else {
            Optional<String> version = mlflow.versionOfRun(outcome.modelName(), outcome.runId());
            Map<String, Double> m = mlflow.metrics(outcome.runId());
            Optional<String> champion = mlflow.aliasVersion(outcome.modelName(), "champion");
            if (version.isEmpty()) {
                // The trainer registers nothing when no target beats persistence, and says so in the run.
                String refused = mlflow.tags(outcome.runId()).get("greenloop.refused");
                payload = completed(outcome, null, false, "the run registered no model version"
                        + (refused == null ? "" : ": " + refused), m);
                status = "completed";
            } else if (champion.equals(version)) {
                // Promoted by an earlier handling of this event that stopped before recording it.
                payload = promoted(outcome, version.get(), mlflow.aliasVersion(outcome.modelName(), "previous").orElse(null), m);
                status = "promoted";
            } else {
                List<String> serves = gate.served(mlflow.versionTags(outcome.modelName(), version.get()));
                Optional<PromotionGate.Served> held = champion.map(v -> new PromotionGate.Served(v,
                        gate.served(mlflow.versionTags(outcome.modelName(), v))));
                PromotionGate.Decision decision = gate.decide(m, serves, held);
                if (decision.promote() && closedLoop.enabled()) {
                    ClosedLoopGate.Verdict verdict = closedLoop.judge(outcome.greenhouseId(), outcome.modelName(),
                            version.get(), outcome.runId(), champion);
                    m.putAll(verdict.metrics());
                    metrics.counter("greenloop.train_launcher.closed_loop", "verdict", verdict.pass() ? "pass" : "refused")
                            .increment();
                    decision = new PromotionGate.Decision(verdict.pass(), decision.reason() + "; " + verdict.reason());
                }
                if (decision.promote() && realisedEvidence && champion.isPresent()) {
                    mlflow.setAlias(outcome.modelName(), "challenger", version.get());
                    payload = completed(outcome, version.get(), false, decision.reason() + "; the challenger now, promoted"
                            + " when monitor finds it better than version " + champion.get() + " on live data"
                            + " (gate.realised-evidence)", m);
                    status = "challenger";
                    LOG.infof("%s version %s is the challenger (%s); awaiting realised evidence", outcome.modelName(),
                            version.get(), decision.reason());
                } else if (decision.promote()) {
                    champion.ifPresent(old -> mlflow.setAlias(outcome.modelName(), "previous", old));
                    mlflow.setAlias(outcome.modelName(), "champion", version.get());
                    payload = promoted(outcome, version.get(), champion.orElse(null), m);
                    status = "promoted";
                    LOG.infof("Promoted %s version %s (%s)", outcome.modelName(), version.get(), decision.reason());
                } else {
                    payload = completed(outcome, version.get(), false, decision.reason(), m);
                    status = "completed";
                    LOG.infof("Not promoting %s version %s: %s", outcome.modelName(), version.get(), decision.reason());
                }
            }
        }
        CloudEvent reply = Events.of(payload).id(Events.derivedId("training.outcome", outcome.jobName())).source(SOURCE)
                .subject(outcome.jobName()).causedBy(statusEventId, extensions).build();
        runs.recordOutcome(outcome.jobName(), status, store(reply));
        metrics.counter("greenloop.train_launcher.outcomes", "outcome", status).increment();
        return reply;
    }

    /**
     * With {@code gate.realised-evidence}: promotes the challenger that monitor found better than
     * the champion on live data ({@code drift.detected}, metric {@code challenger_gain:...}). Empty
     * when the setting is off, there is no challenger, or the event's champion is not the current
     * one any more (an old or redelivered event: the registry has moved on).
     */
    public Optional<CloudEvent> promoteChallenger(DriftDetected evidence, String eventId, Map<String, String> extensions) {
        if (!realisedEvidence || !evidence.metric().startsWith("challenger_gain:")) {
            return Optional.empty();
        }
        String model = evidence.modelName();
        Optional<String> challenger = mlflow.aliasVersion(model, "challenger");
        Optional<String> champion = mlflow.aliasVersion(model, "champion");
        if (challenger.isEmpty() || !champion.equals(Optional.of(evidence.modelVersion()))) {
            LOG.infof("No challenger of %s to promote on %s (champion %s, challenger %s, the event's champion %s)", model,
                    evidence.metric(), champion.orElse("none"), challenger.orElse("none"), evidence.modelVersion());
            return Optional.empty();
        }
        mlflow.setAlias(model, "previous", champion.get());
        mlflow.setAlias(model, "champion", challenger.get());
        mlflow.deleteAlias(model, "challenger");
        String runId = mlflow.runOfVersion(model, challenger.get());
        ModelPromoted promoted = new ModelPromoted(evidence.greenhouseId(), model, challenger.get(), champion.get(), runId,
                specVersion(mlflow.versionTags(model, challenger.get())), reported(mlflow.metrics(runId)));
        metrics.counter("greenloop.train_launcher.outcomes", "outcome", "promoted-on-evidence").increment();
        LOG.infof("Promoted %s version %s over %s on realised evidence: %s = %.3f (threshold %.3f)", model,
                challenger.get(), champion.get(), evidence.metric(), evidence.value(), evidence.threshold());
        return Optional.of(Events.of(promoted).id(Events.derivedId("model.promoted", model, challenger.get())).source(SOURCE)
                .subject(model).causedBy(eventId, extensions).build());
    }

    private ModelPromoted promoted(JobOutcome o, String version, String previous, Map<String, Double> m) {
        return new ModelPromoted(o.greenhouseId(), o.modelName(), version, previous, o.runId(),
                specVersion(mlflow.versionTags(o.modelName(), version)), reported(m));
    }

    /** The feature spec a version was trained on: its tag, or v1 for a version from before the tag. */
    private static String specVersion(Map<String, String> tags) {
        return tags.getOrDefault("feature_spec_version", FeatureSpec.V1.version());
    }

    private static TrainingCompleted completed(JobOutcome o, String version, boolean promoted, String reason,
                                               Map<String, Double> m) {
        return new TrainingCompleted(o.greenhouseId(), o.runId(), o.jobName(), o.modelName(), version, promoted,
                abbreviate(reason), reported(m));
    }

    /**
     * The metrics worth carrying in the event: test errors, baselines, champion's, the closed
     * loop's, and which targets the version serves ({@code served_<target>} 1 or 0).
     */
    private static Map<String, Double> reported(Map<String, Double> m) {
        Map<String, Double> out = new LinkedHashMap<>();
        m.forEach((k, v) -> {
            if ((k.startsWith("mae_") || k.startsWith("rmse_") || k.startsWith("champion_") || k.startsWith("closed_loop_")
                    || k.startsWith("served_"))
                    && Double.isFinite(v)) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static Document store(CloudEvent event) {
        Document doc = new Document("id", event.getId()).append("type", event.getType())
                .append("data", new String(event.getData().toBytes(), java.nio.charset.StandardCharsets.UTF_8));
        Document ext = new Document();
        event.getExtensionNames().forEach(n -> ext.append(n, String.valueOf(event.getExtension(n))));
        return doc.append("extensions", ext).append("subject", event.getSubject());
    }

    private static CloudEvent replay(Document stored) {
        io.cloudevents.core.builder.CloudEventBuilder b = io.cloudevents.core.builder.CloudEventBuilder.v1()
                .withId(stored.getString("id")).withType(stored.getString("type")).withSource(SOURCE)
                .withSubject(stored.getString("subject"))
                .withDataSchema(dev.greenloop.events.EventType.of(stored.getString("type")).dataSchema())
                .withDataContentType(Events.JSON)
                .withData(stored.getString("data").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        stored.get("extensions", Document.class).forEach((k, v) -> b.withExtension(k, String.valueOf(v)));
        return b.build();
    }

    /** The payload of a reply, for Funqy to write. */
    public static Object payload(CloudEvent event) {
        try {
            return EventJson.mapper().readTree(event.getData().toBytes());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 1000 ? s.substring(0, 1000) : s;
    }
}
