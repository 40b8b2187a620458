package dev.greenloop.events.signing;

import dev.greenloop.events.payload.CommandSignature;
import dev.greenloop.events.payload.ControlCommand;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The exact bytes a command's HMAC is computed over. Gateways in any language reproduce it:
 *
 * <pre>
 * greenloop.control.command.v1\n
 * commandId=&lt;commandId&gt;\n
 * greenhouseId=&lt;greenhouseId&gt;\n
 * zoneId=&lt;zoneId&gt;\n
 * actuator=&lt;wire name&gt;\n
 * value=&lt;plain decimal, no exponent, no trailing zeros ("21.5", "0", "-3")&gt;\n
 * unit=&lt;unit&gt;\n
 * mode=&lt;wire name&gt;\n
 * reason=&lt;reason&gt;\n
 * predictionId=&lt;predictionId or empty&gt;\n
 * algorithm=HMAC-SHA256\n
 * keyId=&lt;keyId&gt;\n
 * issuedAt=&lt;UTC, yyyy-MM-ddTHH:mm:ss.SSSZ&gt;\n
 * expiresAt=&lt;UTC, yyyy-MM-ddTHH:mm:ss.SSSZ&gt;\n
 * nonce=&lt;nonce&gt;\n
 * </pre>
 *
 * UTF-8 encoded. It is unambiguous because no field may contain a control character (the payload
 * records enforce that) and every line starts with its field name. Timestamps have exactly
 * millisecond precision; the signer truncates to it and the verifier refuses anything finer.
 */
public final class CanonicalCommand {

    public static final String HEADER = "greenloop.control.command.v1";
    private static final DateTimeFormatter MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private CanonicalCommand() {
    }

    /** The signed bytes of {@code command} under the signature parameters (its {@code value} is ignored). */
    public static byte[] bytes(ControlCommand command, CommandSignature signature) {
        return bytes(command, signature.keyId(), signature.issuedAt(), signature.expiresAt(), signature.nonce());
    }

    static byte[] bytes(ControlCommand c, String keyId, Instant issuedAt, Instant expiresAt, String nonce) {
        StringBuilder s = new StringBuilder(512);
        s.append(HEADER).append('\n');
        line(s, "commandId", c.commandId());
        line(s, "greenhouseId", c.greenhouseId());
        line(s, "zoneId", c.zoneId());
        line(s, "actuator", c.actuator().wireName());
        line(s, "value", decimal(c.value()));
        line(s, "unit", c.unit());
        line(s, "mode", c.mode().wireName());
        line(s, "reason", c.reason());
        line(s, "predictionId", c.predictionId() == null ? "" : c.predictionId());
        line(s, "algorithm", CommandSignature.HMAC_SHA256);
        line(s, "keyId", keyId);
        line(s, "issuedAt", MILLIS.format(issuedAt));
        line(s, "expiresAt", MILLIS.format(expiresAt));
        line(s, "nonce", nonce);
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    static boolean isMillisecondPrecision(Instant instant) {
        return instant.getNano() % 1_000_000 == 0;
    }

    static String decimal(double value) {
        if (value == 0.0) {
            return "0";
        }
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    private static void line(StringBuilder s, String name, String value) {
        s.append(name).append('=').append(value).append('\n');
    }
}
