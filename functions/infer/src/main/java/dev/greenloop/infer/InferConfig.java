package dev.greenloop.infer;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Configuration of infer ({@code greenloop.infer.*}); defaults run the embedded stack. */
@ConfigMapping(prefix = "greenloop.infer")
public interface InferConfig {

    /** The MLflow server: registry and artifact proxy. */
    @WithDefault("http://localhost:5000")
    String mlflowTrackingUri();

    /** Each greenhouse has its own registered model, named prefix + greenhouse id. */
    @WithDefault("greenloop-")
    String modelNamePrefix();

    /** Greenhouses whose models are loaded at start; others load on their first request. */
    Optional<List<String>> greenhouses();

    /** How often the registry aliases are checked (each replica sees only some promotion events); one search per check. */
    @WithDefault("5s")
    Duration pollInterval();

    /** How long a greenhouse without a champion waits before the registry is asked again. */
    @WithDefault("10s")
    Duration missingModelRetry();

    /** Timeout of each call to MLflow. */
    @WithDefault("10s")
    Duration mlflowTimeout();

    /** Downloaded models, so that a restart while MLflow is down still serves. */
    @WithDefault("${java.io.tmpdir}/greenloop-infer/models")
    String cacheDir();

    /** Largest model artifact accepted, in bytes. */
    @WithDefault("268435456")
    long maxModelBytes();

    Onnx onnx();

    /** Most feature vectors in one {@code POST /v1/predict}. */
    @WithDefault("1024")
    int maxBatch();

    /** Score the {@code challenger} alias too and send its predictions as shadow events. */
    @WithDefault("true")
    boolean shadow();

    /** Where shadow predictions go (the Broker, from a SinkBinding). */
    Optional<String> sinkUrl();

    /**
     * A feature window ending further than this after infer's clock is refused (400, dead
     * letter): its prediction would be the zone's newest and hide every real one after it.
     */
    @WithDefault("2m")
    Duration futureTolerance();

    interface Onnx {
        /**
         * Threads inside one inference. One: a tree ensemble over one window is microseconds of
         * work, and requests already run in parallel on the worker threads; more would oversubscribe
         * a 2-core container.
         */
        @WithDefault("1")
        int intraOpThreads();

        /** Threads across independent graph nodes of one inference. */
        @WithDefault("1")
        int interOpThreads();
    }
}
