package dev.greenloop.trainlauncher;

import dev.greenloop.trainlauncher.store.TrainingRuns;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

/** Ready when MongoDB answers: every decision reads the runs. */
@org.eclipse.microprofile.health.Readiness
@Blocking
@ApplicationScoped
public class Readiness implements HealthCheck {

    private final TrainingRuns runs;

    public Readiness(TrainingRuns runs) {
        this.runs = runs;
    }

    @Override
    public HealthCheckResponse call() {
        try {
            runs.ping();
            return HealthCheckResponse.up("mongodb");
        } catch (RuntimeException e) {
            return HealthCheckResponse.named("mongodb").down().withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
