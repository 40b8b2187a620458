package dev.greenloop.infer;

import dev.greenloop.infer.model.ModelStore;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * Loads the configured greenhouses' models at start, and checks every known model's aliases on
 * a short interval: a replica sees only the promotion events routed to it (or none, scaled to
 * zero). A check is one registry search for all the replica's models; only a model whose alias
 * moved is reloaded, so every replica follows a promotion within {@code poll-interval} (5 s).
 */
@ApplicationScoped
public class AliasPolling {

    private static final Logger LOG = Logger.getLogger(AliasPolling.class);

    private final ModelStore models;
    private final InferConfig config;

    public AliasPolling(ModelStore models, InferConfig config) {
        this.models = models;
        this.config = config;
    }

    /**
     * Creates the model store (and with it ONNX Runtime's environment) on a thread of its own as
     * soon as the application starts, beside the HTTP server's start: unpacking and loading ONNX
     * Runtime's native library takes about a quarter of a second, which the first request (or the
     * first readiness probe) would otherwise wait for after a scale from zero.
     */
    void warmUp(@Observes StartupEvent start) {
        Thread warmUp = new Thread(() -> {
            long began = System.nanoTime();
            try {
                models.loaded();
                LOG.debugf("ONNX Runtime and the model store ready in %d ms", (System.nanoTime() - began) / 1_000_000);
            } catch (RuntimeException e) {
                LOG.warnf(e, "ONNX Runtime could not be started ahead of the first request; the first request will try again");
            }
        }, "infer-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
    }

    void preload(@Observes StartupEvent start) {
        List<String> greenhouses = config.greenhouses().orElse(List.of());
        for (String greenhouse : greenhouses) {
            models.refreshGreenhouse(greenhouse);
        }
        if (!greenhouses.isEmpty()) {
            LOG.infof("Models of %s checked at start; aliases are checked every %s", greenhouses, config.pollInterval());
        }
    }

    @Scheduled(every = "${greenloop.infer.poll-interval:5s}", delayed = "${greenloop.infer.poll-interval:5s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        models.refreshChanged();
    }
}
