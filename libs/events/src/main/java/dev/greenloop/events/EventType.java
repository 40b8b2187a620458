package dev.greenloop.events;

import dev.greenloop.events.payload.ControlCommand;
import dev.greenloop.events.payload.DatasetReady;
import dev.greenloop.events.payload.DriftDetected;
import dev.greenloop.events.payload.EventPayload;
import dev.greenloop.events.payload.FeatureWindow;
import dev.greenloop.events.payload.ModelPromoted;
import dev.greenloop.events.payload.Prediction;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.events.payload.TrainingCompleted;
import dev.greenloop.events.payload.TrainingFailed;
import dev.greenloop.events.payload.TrainingRequested;

import java.net.URI;
import java.util.Arrays;
import java.util.Optional;

/**
 * The catalog: each event type with its payload record and its JSON Schema.
 * {@link #dataSchema()} is what outgoing events carry as their CloudEvents {@code dataschema}.
 */
public enum EventType {
    SENSOR_READINGS(EventTypes.SENSOR_READINGS, ReadingsBatch.class, "readings-batch"),
    FEATURES_WINDOW(EventTypes.FEATURES_WINDOW, FeatureWindow.class, "feature-window"),
    DATASET_READY(EventTypes.DATASET_READY, DatasetReady.class, "dataset-ready"),
    TRAINING_REQUESTED(EventTypes.TRAINING_REQUESTED, TrainingRequested.class, "training-requested"),
    TRAINING_COMPLETED(EventTypes.TRAINING_COMPLETED, TrainingCompleted.class, "training-completed"),
    TRAINING_FAILED(EventTypes.TRAINING_FAILED, TrainingFailed.class, "training-failed"),
    MODEL_PROMOTED(EventTypes.MODEL_PROMOTED, ModelPromoted.class, "model-promoted"),
    PREDICTION(EventTypes.PREDICTION, Prediction.class, "prediction"),
    CONTROL_COMMAND(EventTypes.CONTROL_COMMAND, ControlCommand.class, "control-command"),
    DRIFT_DETECTED(EventTypes.DRIFT_DETECTED, DriftDetected.class, "drift-detected");

    /** Schemas are published under this base; the validator maps it to the classpath. */
    public static final String SCHEMA_BASE = "https://greenloop.dev/schemas/";

    private final String type;
    private final Class<? extends EventPayload> payloadType;
    private final String schemaName;

    EventType(String type, Class<? extends EventPayload> payloadType, String schemaName) {
        this.type = type;
        this.payloadType = payloadType;
        this.schemaName = schemaName;
    }

    /** The CloudEvent {@code type} attribute. */
    public String type() {
        return type;
    }

    public Class<? extends EventPayload> payloadType() {
        return payloadType;
    }

    /** File name of the schema, e.g. {@code readings-batch.v1.schema.json}. */
    public String schemaFile() {
        return schemaName + ".v1.schema.json";
    }

    /** The schema's {@code $id}. */
    public URI dataSchema() {
        return URI.create(SCHEMA_BASE + schemaFile());
    }

    public static Optional<EventType> find(String type) {
        return Arrays.stream(values()).filter(t -> t.type.equals(type)).findFirst();
    }

    /** The catalog entry for {@code type}, or {@link EventException.Kind#UNKNOWN_TYPE}. */
    public static EventType of(String type) {
        return find(type).orElseThrow(() -> EventException.unknownType(type));
    }

    /** The catalog entry whose payload is {@code payloadClass}. */
    public static EventType forPayload(Class<?> payloadClass) {
        return Arrays.stream(values())
                .filter(t -> t.payloadType.equals(payloadClass))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(payloadClass + " is not an event payload"));
    }
}
