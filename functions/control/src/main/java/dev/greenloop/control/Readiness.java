package dev.greenloop.control;

import dev.greenloop.control.store.ControlStore;
import dev.greenloop.function.base.DependencyReadiness;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

import java.util.Map;

/** Ready when MongoDB answers and at least one greenhouse key is configured (no key, no commands). */
@org.eclipse.microprofile.health.Readiness
@Blocking
@ApplicationScoped
public class Readiness extends DependencyReadiness {

    private final ControlStore store;
    private final Controller controller;

    public Readiness(ControlStore store, Controller controller) {
        this.store = store;
        this.controller = controller;
    }

    @Override
    protected Map<String, Probe> probes() {
        return Map.of("mongodb", store::ping);
    }

    @Override
    protected String notReadyBecause() {
        return controller.keys().size() == 0 ? "no signing keys: set greenloop.control.signing-keys" : null;
    }

    @Override
    protected void describe(HealthCheckResponseBuilder response) {
        response.withData("signingKeys", controller.keys().size());
    }
}
