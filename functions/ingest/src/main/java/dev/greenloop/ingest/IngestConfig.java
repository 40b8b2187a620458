package dev.greenloop.ingest;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Configuration of ingest, under {@code greenloop.ingest}. Defaults run the embedded stack. */
@ConfigMapping(prefix = "greenloop.ingest")
public interface IngestConfig {

    Kafka kafka();

    Mongodb mongodb();

    Limits limits();

    Auth auth();

    Validation validation();

    interface Kafka {
        /** Bootstrap servers of the cluster that holds the readings topic. */
        @WithDefault("localhost:9092")
        String bootstrapServers();

        @WithDefault("greenhouse.readings")
        String topic();

        /** Where well-formed but implausible readings go, with the reason. */
        @WithDefault("greenhouse.readings.quarantine")
        String quarantineTopic();

        /** How long a request waits for Kafka to acknowledge every record before answering 503. */
        @WithDefault("10s")
        Duration ackTimeout();

        /** How long a send may wait for metadata or buffer space; short, so an absent Kafka fails fast. */
        @WithDefault("2s")
        Duration maxBlock();

        /** Producer compression: none, gzip, snappy, lz4 or zstd. */
        @WithDefault("lz4")
        String compression();

        @WithDefault("5")
        int lingerMs();

        @WithDefault("262144")
        int batchSize();

        /** Large batches are split into records of at most this many items (readings + actuator states). */
        @WithDefault("500")
        int maxItemsPerRecord();
    }

    interface Mongodb {
        @WithDefault("mongodb://localhost:27017")
        String connectionString();

        @WithDefault("greenloop")
        String database();
    }

    interface Limits {
        /** Most items (readings plus actuator states) one request may carry. */
        @WithDefault("5000")
        int maxItemsPerRequest();

        /** Largest request body accepted, in bytes. */
        @WithDefault("4194304")
        int maxBodyBytes();

        /** Requests processed at once by one instance; beyond that the answer is 503. */
        @WithDefault("128")
        int maxInFlightRequests();

        /** Sustained items per second one device may send (per instance). */
        @WithDefault("5000")
        long deviceItemsPerSecond();

        /** Items a device may send in a burst above the sustained rate. */
        @WithDefault("20000")
        long deviceBurstItems();

        /** Retry-After, in seconds, when the instance is overloaded or Kafka is unavailable. */
        @WithDefault("5")
        int retryAfterSeconds();
    }

    interface Auth {
        /** How long a looked-up token is trusted; revocation takes effect within this time. */
        @WithDefault("30s")
        Duration tokenCacheTtl();

        /** Token for the admin API ({@code /v1/admin}); the admin API is off without one. */
        Optional<String> adminToken();

        /** A device registered at start-up, for the embedded stack. */
        @WithName("bootstrap-device")
        Optional<BootstrapDevice> bootstrapDevice();
    }

    interface BootstrapDevice {
        String id();

        String greenhouse();

        List<String> zones();

        String token();

        /**
         * Whether the device may send history in backfill mode (default no). Optional rather than
         * defaulted: a default would make the whole bootstrap device look configured.
         */
        Optional<Boolean> backfill();
    }

    interface Validation {
        /** How far in the future (device clock ahead of ours) a timestamp may be. */
        @WithDefault("5m")
        Duration futureTolerance();

        /**
         * How old a live reading may be (a gateway catching up after an outage). Older history is
         * imported in backfill mode.
         */
        @WithDefault("30d")
        Duration maxAge();

        /** How old a reading sent in backfill mode may be. */
        @WithDefault("3650d")
        Duration backfillMaxAge();
    }
}
