package dev.greenloop.preprocess.http;

import dev.greenloop.preprocess.store.WindowStore;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when MongoDB answers: every streaming delivery needs it. */
@Readiness
@Blocking
@ApplicationScoped
public class StoreReadiness implements HealthCheck {

    private final WindowStore store;

    public StoreReadiness(WindowStore store) {
        this.store = store;
    }

    @Override
    public HealthCheckResponse call() {
        try {
            store.ping();
            return HealthCheckResponse.up("mongodb");
        } catch (RuntimeException e) {
            return HealthCheckResponse.named("mongodb").down().withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
