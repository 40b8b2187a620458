package dev.greenloop.ingest.health;

import dev.greenloop.function.base.DependencyReadiness;
import dev.greenloop.ingest.auth.DeviceRegistry;
import dev.greenloop.ingest.kafka.ReadingsPublisher;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ready when Kafka (where readings go) and MongoDB (where device tokens are) answer: without
 * either, every request would fail, so Knative should route elsewhere.
 */
@Readiness
@Blocking
@ApplicationScoped
public class DependenciesReadiness extends DependencyReadiness {

    private final ReadingsPublisher publisher;
    private final DeviceRegistry registry;

    public DependenciesReadiness(ReadingsPublisher publisher, DeviceRegistry registry) {
        this.publisher = publisher;
        this.registry = registry;
    }

    @Override
    protected Map<String, Probe> probes() {
        Map<String, Probe> probes = new LinkedHashMap<>();
        probes.put("kafka", () -> {
            if (!publisher.clusterReachable(Duration.ofSeconds(2))) {
                throw new IllegalStateException("no broker answered within 2 s");
            }
        });
        probes.put("mongodb", registry::ping);
        return probes;
    }
}
