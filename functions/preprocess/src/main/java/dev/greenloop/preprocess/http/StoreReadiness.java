package dev.greenloop.preprocess.http;

import dev.greenloop.function.base.DependencyReadiness;
import dev.greenloop.preprocess.store.WindowStore;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.Readiness;

import java.util.Map;

/** Ready when MongoDB answers: every streaming delivery needs it. */
@Readiness
@Blocking
@ApplicationScoped
public class StoreReadiness extends DependencyReadiness {

    private final WindowStore store;

    public StoreReadiness(WindowStore store) {
        this.store = store;
    }

    @Override
    protected Map<String, Probe> probes() {
        return Map.of("mongodb", store::ping);
    }
}
