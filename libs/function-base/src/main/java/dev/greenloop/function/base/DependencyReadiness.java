package dev.greenloop.function.base;

import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The readiness check of a function: ready when every dependency it cannot work without answers
 * (a replica that would fail every request should get no traffic). Each dependency is a probe
 * that returns or throws; the answer lists each as {@code up} or {@code unreachable: <why>}.
 * A function subclasses it, annotated {@code @Readiness @ApplicationScoped} (and {@code @Blocking}
 * when a probe blocks), and names its probes in order.
 */
public abstract class DependencyReadiness implements HealthCheck {

    /** One dependency: returns when it answers, throws why when it does not. */
    @FunctionalInterface
    public interface Probe {
        void check() throws Exception;
    }

    /** The name of the check in the answer: the function's name ({@code quarkus.application.name}). */
    protected String checkName() {
        return ConfigProvider.getConfig().getOptionalValue("quarkus.application.name", String.class).orElse("dependencies");
    }

    /** The dependencies, by the name the answer shows, in the order they are probed. */
    protected abstract Map<String, Probe> probes();

    /** A condition besides the dependencies (no signing key, say): {@code null} when there is none. */
    protected String notReadyBecause() {
        return null;
    }

    /** More data for the answer (what is served, how many keys). */
    protected void describe(HealthCheckResponseBuilder response) {
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(checkName());
        boolean up = true;
        Map<String, String> states = new LinkedHashMap<>();
        for (Map.Entry<String, Probe> probe : probes().entrySet()) {
            try {
                probe.getValue().check();
                states.put(probe.getKey(), "up");
            } catch (Exception e) {
                up = false;
                states.put(probe.getKey(), "unreachable: " + e.getMessage());
            }
        }
        states.forEach(response::withData);
        String reason = notReadyBecause();
        if (reason != null) {
            up = false;
            response.withData("reason", reason);
        }
        describe(response);
        return response.status(up).build();
    }
}
