package dev.greenloop.trainlauncher;

import dev.greenloop.function.base.DependencyReadiness;
import dev.greenloop.trainlauncher.store.TrainingRuns;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;

/** Ready when MongoDB answers: every decision reads the runs. */
@org.eclipse.microprofile.health.Readiness
@Blocking
@ApplicationScoped
public class Readiness extends DependencyReadiness {

    private final TrainingRuns runs;

    public Readiness(TrainingRuns runs) {
        this.runs = runs;
    }

    @Override
    protected Map<String, Probe> probes() {
        return Map.of("mongodb", runs::ping);
    }
}
