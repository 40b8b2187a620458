package dev.greenloop.trainlauncher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.events.payload.TrainingReason;
import dev.greenloop.function.FunqyReplies;
import dev.greenloop.trainlauncher.launch.LaunchService;
import dev.greenloop.trainlauncher.launch.RetrainRule;
import dev.greenloop.trainlauncher.promote.PromotionService;
import dev.greenloop.trainlauncher.store.TrainingRuns;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventMapping;
import org.bson.Document;

import java.util.Set;

/**
 * Job status events from the ApiServerSource (Resource mode: the data is the Job). Replies
 * {@code model.promoted}, {@code training.completed} or {@code training.failed} when the Job
 * has ended; 204 while it runs. A run that ended without a model in service (failed, or missed
 * the gate) is followed at once by a run on the greenhouse's newest dataset when
 * {@link RetrainRule} finds it worth one: a dataset announced while the run went on would
 * otherwise wait for the next one.
 */
public class JobStatusHandler {

    public static final String JOB_UPDATED = "dev.knative.apiserver.resource.update";
    private static final Set<String> NO_NEW_MODEL = Set.of("completed", "failed");

    private final PromotionService promotions;
    private final TrainingRuns runs;
    private final RetrainRule rule;
    private final LaunchService launches;

    public JobStatusHandler(PromotionService promotions, TrainingRuns runs, RetrainRule rule, LaunchService launches) {
        this.promotions = promotions;
        this.runs = runs;
        this.rule = rule;
        this.launches = launches;
    }

    @Funq("job-status")
    @CloudEventMapping(trigger = JOB_UPDATED)
    public CloudEvent<Object> jobStatus(CloudEvent<JsonNode> event) {
        io.cloudevents.CloudEvent reply = promotions.handle(event.data(), event.id(), FunqyReplies.extensions(event));
        runs.run(reply.getSubject()).filter(run -> NO_NEW_MODEL.contains(run.getString("status")))
                .ifPresent(run -> trainOnNewerData(run, event.id()));
        return FunqyReplies.reply(reply, PromotionService.payload(reply));
    }

    /** Launches on the newest dataset if it is not the ended run's and is worth a run; idempotent per status event. */
    private void trainOnNewerData(Document ended, String statusEventId) {
        String greenhouse = ended.getString("greenhouseId");
        runs.latestDataset(greenhouse).filter(m -> !m.dataset().datasetId().equals(ended.getString("datasetId")))
                .ifPresent(m -> rule.reasonToTrain(m.dataset()).ifPresent(note -> launches.launch(new LaunchService.Request(
                        greenhouse, TrainingReason.DATASET_READY, m.dataset().datasetId(), m.dataset(), statusEventId,
                        "after " + ended.getString("_id") + ": " + note))));
    }
}
