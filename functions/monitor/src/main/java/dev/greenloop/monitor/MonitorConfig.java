package dev.greenloop.monitor;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Configuration of monitor ({@code greenloop.monitor.*}); defaults run the embedded stack. */
@ConfigMapping(prefix = "greenloop.monitor")
public interface MonitorConfig {

    Mongodb mongodb();

    Mlflow mlflow();

    /** Bearer token for the read API (accuracy, drift); it is off without one. */
    Optional<String> operatorToken();

    /**
     * A prediction whose target window has not come this long after its target time is counted
     * as expired by the hourly check (the window was lost, or the zone's sensors were silent).
     */
    @WithDefault("30m")
    Duration outcomeExpiry();

    /** A window or prediction from further in the future than this (by the latest window seen) is refused. */
    @WithDefault("2m")
    Duration futureTolerance();

    /** How long windows and outcomes are kept (the read API and the judgements look no further back). */
    @WithDefault("3d")
    Duration retention();

    Decay decay();

    Drift drift();

    DeadLetters deadLetters();

    interface Mongodb {
        @WithDefault("mongodb://localhost:27017")
        String connectionString();

        @WithDefault("greenloop")
        String database();
    }

    interface Mlflow {
        @WithDefault("http://localhost:5000")
        String trackingUri();

        @WithDefault("10s")
        Duration timeout();
    }

    /** When the champion has decayed: each rule emits {@code drift.detected}, at most once per cooldown. */
    interface Decay {
        /** The champion's realised MAE over persistence's, above which an hour counts as bad. */
        @WithDefault("1.0")
        double maxRatioToPersistence();

        /** How many consecutive bad hours (each with at least {@link #minOutcomesPerHour()}) make decay. */
        @WithDefault("3")
        int badHours();

        @WithDefault("10")
        int minOutcomesPerHour();

        /** The challenger's realised gain (champion MAE over challenger MAE, same instants) that asks for retraining. */
        @WithDefault("1.1")
        double challengerGain();

        /** How many shared instants the head-to-head needs before it counts. */
        @WithDefault("100")
        int minHeadToHead();

        /** The span of the head-to-head. */
        @WithDefault("24h")
        Duration headToHeadWindow();

        /** At most one {@code drift.detected} per greenhouse in this time. */
        @WithDefault("6h")
        Duration cooldown();
    }

    /** The dead-letter API: where the dead letters are, and the Broker replays go to. */
    interface DeadLetters {
        /** Kafka's bootstrap servers (security from {@code greenloop.kafka.security.*}). */
        @WithDefault("localhost:9092")
        String bootstrapServers();

        /** The KafkaSink {@code dead-letter}'s topic. */
        @WithDefault("greenloop.dead-letter")
        String topic();

        /** The Broker: {@code K_SINK}, which the SinkBinding {@code monitor-to-broker} sets; replay is off without it. */
        Optional<String> sinkUrl();

        /** How many dead letters a list shows at most (the newest); the counts cover them all. */
        @WithDefault("200")
        int listLimit();

        /** How often the dead letters are counted for the meters ({@code 0}: not counted). */
        @WithDefault("30s")
        Duration countInterval();
    }

    interface Drift {
        /** The span of recent windows compared with the training profile. */
        @WithDefault("6h")
        Duration window();

        /** Fewer recent windows than this: no drift is judged. */
        @WithDefault("60")
        int minWindows();

        /** Population stability index above which a feature has drifted (0.25 is the usual "significant"). */
        @WithDefault("0.25")
        double psiThreshold();

        /** Only the model's most important features can trigger retraining. */
        @WithDefault("10")
        int topFeatures();
    }
}
