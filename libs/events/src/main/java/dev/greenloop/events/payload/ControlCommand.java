package dev.greenloop.events.payload;

import dev.greenloop.events.EventException;

/**
 * Payload of {@code dev.greenloop.control.command.v1}: set one actuator of one zone.
 *
 * <p>On the wire a command is always signed; {@code signature} is {@code null} only between
 * building a command and signing it. Gateways verify with
 * {@code dev.greenloop.events.signing.CommandVerifier} before acting.
 *
 * @param commandId    stable id, derived from the prediction and the actuator
 * @param value        the target state in {@link ActuatorKind#unit()}
 * @param reason       the rule that produced the command, for operators
 * @param predictionId the prediction the command follows from; {@code null} in fallback mode
 *                     when there was none
 */
public record ControlCommand(String commandId, String greenhouseId, String zoneId, ActuatorKind actuator,
                             double value, String unit, CommandMode mode, String reason, String predictionId,
                             CommandSignature signature) implements EventPayload, ZoneScoped {

    public ControlCommand {
        Checks.id("commandId", commandId);
        Checks.id("greenhouseId", greenhouseId);
        Checks.id("zoneId", zoneId);
        Checks.required("actuator", actuator);
        Checks.finite("value", value);
        if (!actuator.unit().equals(unit)) {
            throw EventException.invalidField("unit", "must be " + actuator.unit() + " for " + actuator.wireName());
        }
        Checks.required("mode", mode);
        Checks.text("reason", reason, 256);
        Checks.optionalId("predictionId", predictionId);
    }

    /** This command with the given signature block (replacing any previous one). */
    public ControlCommand withSignature(CommandSignature newSignature) {
        return new ControlCommand(commandId, greenhouseId, zoneId, actuator, value, unit, mode, reason,
                predictionId, newSignature);
    }
}
