package dev.greenloop.events.signing;

import dev.greenloop.events.payload.CommandSignature;
import dev.greenloop.events.payload.ControlCommand;

import java.math.BigDecimal;
import java.math.RoundingMode;
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
 * value=&lt;the value to 3 decimal places, see below ("21.5", "0", "-3", "36.7")&gt;\n
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
 *
 * <p><b>The value</b> is the exact value of the IEEE-754 double on the wire, rounded half to even
 * to three decimal places, written as a plain decimal: an optional {@code -}, digits, and a
 * fractional part only if it is not zero, without trailing zeros and without an exponent; zero
 * (and negative zero, and anything that rounds to it) is {@code 0}. In Python:
 * {@code format(Decimal(v).quantize(Decimal("0.001"), ROUND_HALF_EVEN).normalize(), "f")} with
 * {@code 0} for zero. The signer rounds the value itself to three places first, so the double a
 * gateway reads is the nearest double to the signed decimal. The test vectors in
 * {@code libs/events/src/test/resources/signing/command-vectors.json} fix this form; a
 * standard-library Python verifier ({@code libs/events/verifier-python}) checks them in the
 * build.
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

    /** Places of the signed value; the signer rounds values to them. */
    static final int VALUE_SCALE = 3;

    static String decimal(double value) {
        // new BigDecimal(double) is the double's exact binary value: the same in every language,
        // unlike the shortest-repr digits Double.toString gives (which changed between JDKs).
        BigDecimal rounded = new BigDecimal(value).setScale(VALUE_SCALE, RoundingMode.HALF_EVEN);
        return rounded.signum() == 0 ? "0" : rounded.stripTrailingZeros().toPlainString();
    }

    /** {@code value} rounded as the canonical form rounds it, as a double. */
    static double rounded(double value) {
        double r = new BigDecimal(value).setScale(VALUE_SCALE, RoundingMode.HALF_EVEN).doubleValue();
        return r == 0.0 ? 0.0 : r;
    }

    private static void line(StringBuilder s, String name, String value) {
        s.append(name).append('=').append(value).append('\n');
    }
}
