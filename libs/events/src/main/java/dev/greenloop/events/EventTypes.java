package dev.greenloop.events;

/**
 * The CloudEvent {@code type} of every event greenloop emits or consumes.
 *
 * <p>Types are reverse-DNS and versioned: a breaking change to a payload is a new type
 * ({@code .v2}), never an edit of an existing one. These are compile-time constants so that they
 * can be used in annotations such as Funqy's {@code @CloudEventMapping(trigger = ...)}.
 */
public final class EventTypes {

    public static final String SENSOR_READINGS = "dev.greenloop.sensor.readings.v1";
    public static final String FEATURES_WINDOW = "dev.greenloop.features.window.v1";
    public static final String DATASET_READY = "dev.greenloop.dataset.ready.v1";
    public static final String TRAINING_REQUESTED = "dev.greenloop.training.requested.v1";
    public static final String TRAINING_COMPLETED = "dev.greenloop.training.completed.v1";
    public static final String TRAINING_FAILED = "dev.greenloop.training.failed.v1";
    public static final String MODEL_PROMOTED = "dev.greenloop.model.promoted.v1";
    public static final String PREDICTION = "dev.greenloop.prediction.v1";
    public static final String CONTROL_COMMAND = "dev.greenloop.control.command.v1";
    public static final String DRIFT_DETECTED = "dev.greenloop.drift.detected.v1";

    private EventTypes() {
    }
}
