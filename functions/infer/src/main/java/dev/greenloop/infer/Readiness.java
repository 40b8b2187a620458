package dev.greenloop.infer;

import dev.greenloop.infer.model.LoadedModel;
import dev.greenloop.infer.model.ModelStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * Always ready: a greenhouse without a model is answered 503 with a problem (control falls back),
 * which is better than a replica Knative will not route to. The check lists what is served.
 */
@org.eclipse.microprofile.health.Readiness
@ApplicationScoped
public class Readiness implements HealthCheck {

    private final ModelStore models;

    public Readiness(ModelStore models) {
        this.models = models;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("models").up();
        for (LoadedModel m : models.loaded()) {
            response.withData(m.name() + "@" + m.alias(), m.version());
        }
        return response.build();
    }
}
