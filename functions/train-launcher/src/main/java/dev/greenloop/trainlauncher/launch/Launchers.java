package dev.greenloop.trainlauncher.launch;

import dev.greenloop.function.SinkClient;
import dev.greenloop.trainlauncher.TrainLauncherConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Duration;

/** Picks the launcher the configuration names: {@code kubernetes} or {@code local}. */
@ApplicationScoped
public class Launchers {

    @Produces
    @Singleton
    SinkClient sink(TrainLauncherConfig config) {
        return new SinkClient(config.sinkUrl(), 5, Duration.ofMillis(500), Duration.ofSeconds(10));
    }

    @Produces
    @Singleton
    JobLauncher launcher(TrainLauncherConfig config, JobSpecs specs, Instance<KubernetesClient> kubernetes, SinkClient sink,
                         java.time.Clock clock) {
        return switch (config.launcher()) {
            case "kubernetes" -> new KubernetesJobLauncher(kubernetes.get(), specs, config);
            case "local" -> new LocalProcessLauncher(specs, config, sink, clock);
            default -> throw new IllegalStateException("greenloop.train-launcher.launcher is '" + config.launcher()
                    + "'; it must be kubernetes or local");
        };
    }
}
