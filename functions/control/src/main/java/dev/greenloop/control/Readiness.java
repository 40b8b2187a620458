package dev.greenloop.control;

import dev.greenloop.control.store.ControlStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

/** Ready when MongoDB answers and at least one greenhouse key is configured (no key, no commands). */
@org.eclipse.microprofile.health.Readiness
@ApplicationScoped
public class Readiness implements HealthCheck {

    private final ControlStore store;
    private final Controller controller;

    public Readiness(ControlStore store, Controller controller) {
        this.store = store;
        this.controller = controller;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("control").withData("signingKeys", controller.keys().size());
        try {
            store.ping();
        } catch (ControlException e) {
            return response.down().withData("mongodb", e.getMessage()).build();
        }
        return (controller.keys().size() > 0 ? response.up() : response.down().withData("signing",
                "no keys: set greenloop.control.signing-keys")).build();
    }
}
