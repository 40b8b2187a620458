package dev.greenloop.events.payload;

/**
 * A payload of the contract. Every payload concerns one greenhouse; {@link ZoneScoped} ones
 * concern one zone of it. Builders use this to set the {@code greenhouseid}/{@code zoneid}
 * extensions from the payload itself, so they cannot disagree.
 */
public sealed interface EventPayload
        permits ReadingsBatch, FeatureWindow, DatasetReady, TrainingRequested, TrainingCompleted,
        TrainingFailed, ModelPromoted, Prediction, ControlCommand, DriftDetected {

    String greenhouseId();

    /** The zone the payload concerns, or {@code null} when it concerns the whole greenhouse. */
    default String zoneIdOrNull() {
        return this instanceof ZoneScoped zoned ? zoned.zoneId() : null;
    }
}
