package dev.greenloop.bench.infer;

import dev.greenloop.clients.ModelVersionInfo;
import dev.greenloop.infer.InferConfig;
import dev.greenloop.infer.PredictionFunctions;
import dev.greenloop.infer.Scoring;
import dev.greenloop.infer.ShadowSender;
import dev.greenloop.infer.WindowPredictions;
import dev.greenloop.infer.http.PredictResource;
import dev.greenloop.infer.model.ModelCache;
import dev.greenloop.infer.model.ModelStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * infer's handlers wired by hand, outside Quarkus, around the benchmark model: the model is put
 * in the model cache and the registry is unreachable, so the store serves it from there (the
 * path a restart during an MLflow outage takes). Nothing of the serving path is left out.
 */
final class InProcess {

    /** infer's defaults, with the registry unreachable, the cache given and no shadow scoring. */
    record BenchConfig(Path cache) implements InferConfig {
        public String mlflowTrackingUri() {
            return "http://127.0.0.1:9";
        }

        public String modelNamePrefix() {
            return "greenloop-";
        }

        public java.util.Optional<java.util.List<String>> greenhouses() {
            return java.util.Optional.empty();
        }

        public java.time.Duration pollInterval() {
            return java.time.Duration.ofHours(1);
        }

        public java.time.Duration missingModelRetry() {
            return java.time.Duration.ofHours(1);
        }

        public java.time.Duration mlflowTimeout() {
            return java.time.Duration.ofSeconds(1);
        }

        public String cacheDir() {
            return cache.toString();
        }

        public long maxModelBytes() {
            return 1L << 28;
        }

        public Onnx onnx() {
            return new Onnx() {
                public int intraOpThreads() {
                    return 1;
                }

                public int interOpThreads() {
                    return 1;
                }
            };
        }

        public int maxBatch() {
            return 1024;
        }

        public boolean shadow() {
            return false;
        }

        public java.util.Optional<String> sinkUrl() {
            return java.util.Optional.empty();
        }

        @Override
        public Duration futureTolerance() {
            return Duration.ofMinutes(2);
        }
    }

    static final String GREENHOUSE = "gh-bench";

    final byte[] onnx;
    final ModelStore store;
    final Scoring scoring;
    final PredictResource http;
    final PredictionFunctions events;

    InProcess() throws IOException {
        String model = System.getenv().getOrDefault("BENCH_MODEL", "bench/infer-bench/target/bench-model.onnx");
        onnx = Files.readAllBytes(Path.of(model));
        Path cache = Files.createTempDirectory("infer-bench-cache");
        ModelCache models = new ModelCache(cache);
        ModelVersionInfo info = new ModelVersionInfo("greenloop-" + GREENHOUSE, "1", "bench",
                Map.of("feature_spec_version", "v1", "horizon_minutes", "15"));
        models.store(info, dev.greenloop.clients.ModelFiles.of(onnx));
        models.remember(info.modelName(), ModelStore.CHAMPION, "1");
        InferConfig config = new BenchConfig(cache);
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        store = new ModelStore(config, metrics);
        scoring = new Scoring(metrics);
        http = new PredictResource(store, scoring, config, jakarta.validation.Validation.byDefaultProvider().configure()
                .messageInterpolator(new org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator())
                .buildValidatorFactory().getValidator());
        events = new PredictionFunctions(new WindowPredictions(store, scoring, new ShadowSender(config, metrics), config, java.time.Clock.systemUTC()), store, scoring);
        try (ModelStore.Lease lease = store.champion(GREENHOUSE)) {
            if (!lease.model().version().equals("1")) {
                throw new IllegalStateException("the benchmark model did not load");
            }
        }
    }
}
