package dev.greenloop.trainlauncher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.function.FunqyReplies;
import dev.greenloop.trainlauncher.promote.PromotionService;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventMapping;

/**
 * Job status events from the ApiServerSource (Resource mode: the data is the Job). Replies
 * {@code model.promoted}, {@code training.completed} or {@code training.failed} when the Job
 * has ended; 204 while it runs.
 */
public class JobStatusHandler {

    public static final String JOB_UPDATED = "dev.knative.apiserver.resource.update";

    private final PromotionService promotions;

    public JobStatusHandler(PromotionService promotions) {
        this.promotions = promotions;
    }

    @Funq("job-status")
    @CloudEventMapping(trigger = JOB_UPDATED)
    public CloudEvent<Object> jobStatus(CloudEvent<JsonNode> event) {
        io.cloudevents.CloudEvent reply = promotions.handle(event.data(), event.id(), FunqyReplies.extensions(event));
        return FunqyReplies.reply(reply, PromotionService.payload(reply));
    }
}
