package dev.greenloop.control;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Configuration of control ({@code greenloop.control.*}); defaults run the embedded stack. */
@ConfigMapping(prefix = "greenloop.control")
public interface ControlConfig {

    Mongodb mongodb();

    Kafka kafka();

    /**
     * The greenhouses' HMAC keys, {@code keyId:greenhouseId:base64Secret[,...]} (from a Kubernetes
     * Secret). A greenhouse without a key gets no commands.
     */
    Optional<String> signingKeys();

    /** How long a gateway may act on a command after it was issued. */
    @WithDefault("2m")
    Duration commandLifetime();

    /** A prediction whose window ended longer ago than this is stale: the thermostat decides. */
    @WithDefault("5m")
    Duration maxPredictionAge();

    /**
     * A prediction for a window that ends further than this in the future is refused (400, dead
     * letter): it would become the zone's newest window and every real prediction after it would
     * be ignored as outdated. Covers clock differences between preprocess, infer and control.
     */
    @WithDefault("2m")
    Duration futureTolerance();

    /** Measurements older than this are not acted on at all. */
    @WithDefault("10m")
    Duration maxMeasurementAge();

    /** A predicted air temperature this far (°C) from the measured one is implausible. */
    @WithDefault("8")
    double maxPredictedTemperatureChange();

    /** Allowed clock difference for acknowledgements from gateways. */
    @WithDefault("5m")
    Duration ackSkew();

    /** Bearer token for the operator endpoints (lineage, unacknowledged report); they are off without it. */
    Optional<String> operatorToken();

    interface Mongodb {
        @WithDefault("mongodb://localhost:27017")
        String connectionString();

        @WithDefault("greenloop")
        String database();
    }

    interface Kafka {
        @WithDefault("localhost:9092")
        String bootstrapServers();

        @WithDefault("greenhouse.commands")
        String topic();

        @WithDefault("10s")
        Duration sendTimeout();
    }
}
