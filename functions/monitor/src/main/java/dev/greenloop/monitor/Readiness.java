package dev.greenloop.monitor;

import dev.greenloop.function.base.DependencyReadiness;
import dev.greenloop.monitor.outcome.OutcomeStore;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;

/** Ready when MongoDB answers: every event is stored there. MLflow is needed only for drift, not for readiness. */
@org.eclipse.microprofile.health.Readiness
@Blocking
@ApplicationScoped
public class Readiness extends DependencyReadiness {

    private final OutcomeStore store;

    public Readiness(OutcomeStore store) {
        this.store = store;
    }

    @Override
    protected Map<String, Probe> probes() {
        return Map.of("mongodb", store::ping);
    }
}
