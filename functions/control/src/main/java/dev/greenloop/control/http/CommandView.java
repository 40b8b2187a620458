package dev.greenloop.control.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.greenloop.control.store.CommandRecord;

import java.time.Instant;

/** A command and its lineage, as the operator API shows it (without the signed payload). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CommandView(String commandId, String greenhouseId, String zoneId, String actuator, double from, double value,
                          String unit, String mode, String reason, Instant issuedAt, Instant expiresAt, String keyId,
                          String status, CommandRecord.Cause cause, CommandRecord.PredictionRef prediction,
                          CommandRecord.WindowRef window, CommandRecord.Ack ack) {

    static CommandView of(CommandRecord r) {
        return new CommandView(r.commandId(), r.greenhouseId(), r.zoneId(), r.actuator().wireName(), r.from(), r.value(),
                r.actuator().unit(), r.mode().wireName(), r.reason(), r.issuedAt(), r.expiresAt(), r.keyId(), r.status(),
                r.cause(), r.prediction(), r.window(), r.ack());
    }
}
