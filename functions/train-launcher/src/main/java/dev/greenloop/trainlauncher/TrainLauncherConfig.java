package dev.greenloop.trainlauncher;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Configuration of train-launcher, under {@code greenloop.train-launcher}. Defaults run the embedded stack. */
@ConfigMapping(prefix = "greenloop.train-launcher")
public interface TrainLauncherConfig {

    @WithDefault("http://localhost:5000")
    String mlflowTrackingUri();

    /** What the trainer reads datasets over: the NameNode's HTTP address. */
    @WithDefault("http://localhost:9870")
    String webhdfsUrl();

    Mongodb mongodb();

    /** Registered model name of a greenhouse: this prefix plus its id. */
    @WithDefault("greenloop-")
    String modelNamePrefix();

    @WithDefault("air_temperature,relative_humidity,co2")
    List<String> targets();

    @WithDefault("15")
    int horizonMinutes();

    /**
     * Signal groups (climate, weather, heating, actuators) a dataset must have for the trainer to
     * train on it; {@code none} for no check. A greenhouse without a weather station drops
     * {@code weather}.
     */
    @WithDefault("weather,actuators")
    List<String> requiredGroups();

    /** Largest share of a dataset's rows that may miss a required group before the trainer refuses it. */
    @WithDefault("0.1")
    double maxMissingShare();

    /**
     * Nominal coverage of the prediction interval the trainer gives each served target (0.8: its
     * 10 % and 90 % quantiles, calibrated); 0 for none. The trainer's {@code GREENLOOP_INTERVAL}.
     */
    @WithDefault("0.8")
    double interval();

    /**
     * Wall-clock budget of the trainer's hyperparameter search, all targets together (walk-forward
     * folds of the training part judge each setting); 0 for none, the fixed defaults. The
     * trainer's {@code GREENLOOP_SEARCH_SECONDS}. Keep it well inside {@code job.active-deadline}.
     */
    @WithDefault("600")
    int searchSeconds();

    /** Most settings the search tries per target, within {@link #searchSeconds()}. The trainer's {@code GREENLOOP_SEARCH_TRIALS}. */
    @WithDefault("40")
    int searchTrials();

    /** {@code kubernetes} (batch/v1 Jobs) or {@code local} (a child process, for machines without a cluster). */
    @WithDefault("local")
    String launcher();

    Job job();

    Retrain retrain();

    Local local();

    Gate gate();

    /** Where the local launcher posts Job status events (the Broker); Knative's SinkBinding sets K_SINK. */
    Optional<String> sinkUrl();

    /** Bearer token of {@code POST /v1/training-requests}; the endpoint is off without one. */
    Optional<String> adminToken();

    interface Mongodb {
        @WithDefault("mongodb://localhost:27017")
        String connectionString();

        @WithDefault("greenloop")
        String database();
    }

    interface Job {
        @WithDefault("ghcr.io/greenloop/trainer:0.1.0")
        String image();

        /** Namespace of the Jobs; the client's namespace when unset. */
        Optional<String> namespace();

        @WithDefault("greenloop-trainer")
        String serviceAccount();

        /** {@code nvidia.com/gpu} per Job; 0 trains on CPU. */
        @WithDefault("0")
        int gpus();

        Map<String, String> nodeSelector();

        /** Tolerations as {@code key=value:Effect} or {@code key:Effect} ({@code Exists}). */
        Optional<List<String>> tolerations();

        @WithDefault("2")
        int backoffLimit();

        @WithDefault("2h")
        Duration activeDeadline();

        @WithDefault("24h")
        Duration ttlAfterFinished();

        @WithDefault("1")
        String cpuRequest();

        @WithDefault("4")
        String cpuLimit();

        @WithDefault("2Gi")
        String memoryRequest();

        @WithDefault("8Gi")
        String memoryLimit();

        /** ConfigMap that owns the Jobs (deleting greenloop's config collects them); none if absent. */
        @WithDefault("greenloop-training")
        String ownerConfigMap();
    }

    interface Local {
        /** Python of the trainer's virtualenv. */
        @WithDefault("python3")
        String python();

        /** Directory holding {@code greenloop_trainer}. */
        @WithDefault("trainer")
        String trainerDir();

        @WithDefault("2h")
        Duration timeout();
    }

    interface Gate {
        /**
         * How far below the persistence baseline's MAE a target's must be for a version to serve
         * it (the trainer leaves the others out of the version; the gate checks again).
         */
        @WithDefault("0.1")
        double persistenceMargin();

        /**
         * Realised evidence before a champion is replaced: a candidate that passes the offline gate
         * becomes the {@code challenger} (infer scores it in shadow on live data) and is promoted
         * when monitor reports that it beat the champion on enough shared instants
         * ({@code drift.detected} with metric {@code challenger_gain:...}). A greenhouse's first
         * model is promoted at once (there is nothing to compare it with).
         */
        @WithDefault("false")
        boolean realisedEvidence();

        ClosedLoop closedLoop();
    }

    /**
     * The closed-loop gate: before promotion, the candidate runs in process in a closed loop with
     * the simulator, the features, its ONNX model and control's policy and envelope over simulated
     * days it never saw, judged by the greenhouse's own crop settings ({@code control_zones}), and
     * is refused when it keeps the crop in band less, or heats more, than the champion does in the
     * same loop by more than the margins. Its figures are logged to the candidate's MLflow run.
     */
    interface ClosedLoop {
        @WithDefault("false")
        boolean enabled();

        /** Simulated time judged; the days start at midnight UTC of the day after the clock's today. */
        @WithDefault("2d")
        Duration length();

        /** Seed of the simulated greenhouse's weather and sensors; the same seed gives the same days. */
        @WithDefault("42")
        long seed();

        /** Zones simulated when the greenhouse has none in {@code control_zones} (they get control's defaults). */
        @WithDefault("zone-a,zone-b")
        List<String> defaultZones();

        /** At most this many of the greenhouse's zones are simulated (the first, by id). */
        @WithDefault("4")
        int maxZones();

        /** How much less share of time in band than the baseline's a candidate may keep (0.02: two points). */
        @WithDefault("0.02")
        double inBandMargin();

        /** How much more heating energy than the baseline's a candidate may use (0.05: 5 %). */
        @WithDefault("0.05")
        double energyMargin();

        /**
         * Whether a greenhouse's first model must also do as well as the thermostat (control's
         * fallback rules, what runs while there is no champion). Off: the first model's figures
         * and the thermostat's are logged side by side and only the offline gate decides.
         */
        @WithDefault("false")
        boolean judgeFirstModel();
    }

    /**
     * When a new dataset retrains by itself. Training also starts on the nightly schedule, on
     * drift (monitor's {@code drift.detected}) and on a manual request, whatever this says.
     */
    interface Retrain {
        /**
         * A {@code dataset.ready} launches a run for the greenhouse's first dataset, or when it has
         * at least this many rows more than the one the last run trained on (10,080: a week of
         * one zone's windows), or, while no run of the greenhouse has been promoted, when it has
         * at least twice the rows of the last run's; otherwise it only records the dataset.
         */
        @WithDefault("10080")
        long minNewRows();
    }
}
