package dev.greenloop.ingest.health;

import dev.greenloop.ingest.auth.DeviceRegistry;
import dev.greenloop.ingest.kafka.ReadingsPublisher;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;

/**
 * Ready when Kafka (where readings go) and MongoDB (where device tokens are) answer: without
 * either, every request would fail, so Knative should route elsewhere.
 */
@Readiness
@Blocking
@ApplicationScoped
public class DependenciesReadiness implements HealthCheck {

    private final ReadingsPublisher publisher;
    private final DeviceRegistry registry;

    public DependenciesReadiness(ReadingsPublisher publisher, DeviceRegistry registry) {
        this.publisher = publisher;
        this.registry = registry;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("ingest dependencies");
        boolean kafka = publisher.clusterReachable(Duration.ofSeconds(2));
        boolean mongo;
        String mongoError = null;
        try {
            registry.ping();
            mongo = true;
        } catch (RuntimeException e) {
            mongo = false;
            mongoError = e.getMessage();
        }
        response.withData("kafka", kafka ? "up" : "unreachable").withData("mongodb", mongo ? "up" : "unreachable: " + mongoError);
        return response.status(kafka && mongo).build();
    }
}
