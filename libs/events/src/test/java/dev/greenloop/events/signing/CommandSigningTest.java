package dev.greenloop.events.signing;

import dev.greenloop.events.EventException;
import dev.greenloop.events.EventException.Kind;
import dev.greenloop.events.EventType;
import dev.greenloop.events.TestEvents;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.CommandMode;
import dev.greenloop.events.payload.CommandSignature;
import dev.greenloop.events.payload.ControlCommand;
import dev.greenloop.events.payload.Units;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class CommandSigningTest {

    private static final Instant NOW = Instant.parse("2026-06-21T12:00:00.123Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private final CommandSigner signer = new CommandSigner(TestEvents.keyRing(), CLOCK, Duration.ofMinutes(2));

    private CommandVerifier verifierAt(Instant now) {
        return CommandVerifier.withDefaults(TestEvents.keyRing(), Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void signedCommandVerifiesAfterTravellingAsJson() {
        ControlCommand signed = signer.sign(TestEvents.controlCommand());
        ControlCommand received = PayloadCodec.read(EventType.CONTROL_COMMAND, PayloadCodec.write(signed));

        assertThat(verifierAt(NOW.plusSeconds(5)).verify(received)).isEqualTo(signed);
        assertThat(signed.signature().keyId()).isEqualTo(TestEvents.KEY_ID);
        assertThat(signed.signature().expiresAt()).isEqualTo(NOW.plus(Duration.ofMinutes(2)));
    }

    @Test
    void everySignatureHasItsOwnNonce() {
        assertThat(signer.sign(TestEvents.controlCommand()).signature().nonce())
                .isNotEqualTo(signer.sign(TestEvents.controlCommand()).signature().nonce());
    }

    static Stream<Arguments> tamperings() {
        return Stream.<Arguments>of(
                tamper("value", c -> with(c, c.actuator(), 100.0, c.zoneId(), c.commandId(), c.reason(), c.mode(), c.predictionId())),
                tamper("actuator", c -> with(c, ActuatorKind.SCREEN, c.value(), c.zoneId(), c.commandId(), c.reason(), c.mode(), c.predictionId())),
                tamper("zone", c -> with(c, c.actuator(), c.value(), "zone-b", c.commandId(), c.reason(), c.mode(), c.predictionId())),
                tamper("command id", c -> with(c, c.actuator(), c.value(), c.zoneId(), "cmd-9999", c.reason(), c.mode(), c.predictionId())),
                tamper("reason", c -> with(c, c.actuator(), c.value(), c.zoneId(), c.commandId(), "operator override", c.mode(), c.predictionId())),
                tamper("mode", c -> with(c, c.actuator(), c.value(), c.zoneId(), c.commandId(), c.reason(), CommandMode.FALLBACK, c.predictionId())),
                tamper("prediction id", c -> with(c, c.actuator(), c.value(), c.zoneId(), c.commandId(), c.reason(), c.mode(), null)),
                tamper("expiry", c -> c.withSignature(sig(c.signature(), c.signature().issuedAt(),
                        c.signature().expiresAt().plusSeconds(600), c.signature().nonce(), c.signature().value()))),
                tamper("issued at", c -> c.withSignature(sig(c.signature(), c.signature().issuedAt().minusSeconds(1),
                        c.signature().expiresAt(), c.signature().nonce(), c.signature().value()))),
                tamper("nonce", c -> c.withSignature(sig(c.signature(), c.signature().issuedAt(),
                        c.signature().expiresAt(), "BBBBBBBBBBBBBBBBBBBBBB", c.signature().value()))),
                tamper("signature", c -> c.withSignature(sig(c.signature(), c.signature().issuedAt(),
                        c.signature().expiresAt(), c.signature().nonce(), flipFirst(c.signature().value())))));
    }

    @ParameterizedTest(name = "tampered {0}")
    @MethodSource("tamperings")
    void tamperingWithAnyFieldBreaksTheSignature(String field, UnaryOperator<ControlCommand> change) {
        ControlCommand tampered = change.apply(signer.sign(TestEvents.controlCommand()));

        assertThat(reject(verifierAt(NOW), tampered)).isEqualTo(Kind.BAD_SIGNATURE);
    }

    @Test
    void commandSignedWithAnotherSecretUnderTheSameKeyIdIsRejected() {
        KeyRing forged = KeyRing.of(new SigningKey(TestEvents.KEY_ID, TestEvents.GREENHOUSE, new byte[32]));
        ControlCommand command = new CommandSigner(forged, CLOCK, Duration.ofMinutes(2)).sign(TestEvents.controlCommand());

        assertThat(reject(verifierAt(NOW), command)).isEqualTo(Kind.BAD_SIGNATURE);
    }

    @Test
    void expiredCommandIsRejected() {
        ControlCommand signed = signer.sign(TestEvents.controlCommand());

        assertThat(reject(verifierAt(NOW.plus(Duration.ofMinutes(3))), signed)).isEqualTo(Kind.EXPIRED);
        // Within the 30 s clock skew it is still accepted.
        assertThat(verifierAt(NOW.plus(Duration.ofMinutes(2)).plusSeconds(20)).verify(signed)).isNotNull();
    }

    @Test
    void commandFromTheFutureIsRejected() {
        ControlCommand signed = signer.sign(TestEvents.controlCommand());

        assertThat(reject(verifierAt(NOW.minusSeconds(60)), signed)).isEqualTo(Kind.NOT_YET_VALID);
    }

    @Test
    void commandValidForTooLongIsRejected() {
        ControlCommand longLived = new CommandSigner(TestEvents.keyRing(), CLOCK, Duration.ofHours(2))
                .sign(TestEvents.controlCommand());

        assertThat(reject(verifierAt(NOW), longLived)).isEqualTo(Kind.EXPIRED);
    }

    @Test
    void replayedCommandIsRejected() {
        CommandVerifier verifier = verifierAt(NOW);
        ControlCommand signed = signer.sign(TestEvents.controlCommand());

        verifier.verify(signed);

        assertThat(reject(verifier, signed)).isEqualTo(Kind.REPLAYED);
    }

    @Test
    void forgedCommandDoesNotBurnTheGenuineNonce() {
        CommandVerifier verifier = verifierAt(NOW);
        ControlCommand genuine = signer.sign(TestEvents.controlCommand());
        ControlCommand forged = with(genuine, genuine.actuator(), 100.0, genuine.zoneId(), genuine.commandId(),
                genuine.reason(), genuine.mode(), genuine.predictionId());

        assertThat(reject(verifier, forged)).isEqualTo(Kind.BAD_SIGNATURE);
        assertThat(verifier.verify(genuine)).isEqualTo(genuine);
    }

    @Test
    void unknownKeyIsRejected() {
        KeyRing other = KeyRing.of(new SigningKey("gh-test-k2", TestEvents.GREENHOUSE, new byte[32]));
        ControlCommand command = new CommandSigner(other, CLOCK, Duration.ofMinutes(2)).sign(TestEvents.controlCommand());

        assertThat(reject(verifierAt(NOW), command)).isEqualTo(Kind.UNKNOWN_KEY);
    }

    @Test
    void keyOfAnotherGreenhouseIsRejected() {
        SigningKey neighbour = new SigningKey("gh-other-k1", "gh-other", new byte[32]);
        ControlCommand forOther = new ControlCommand("cmd-2", "gh-other", "zone-a", ActuatorKind.VENT, 10.0,
                Units.PERCENT, CommandMode.FALLBACK, "thermostat", null, null);
        ControlCommand signedByNeighbour = new CommandSigner(KeyRing.of(neighbour), CLOCK, Duration.ofMinutes(2)).sign(forOther);
        // The same signature presented for our greenhouse.
        ControlCommand replanted = new ControlCommand(forOther.commandId(), TestEvents.GREENHOUSE, "zone-a",
                ActuatorKind.VENT, 10.0, Units.PERCENT, CommandMode.FALLBACK, "thermostat", null,
                signedByNeighbour.signature());
        CommandVerifier verifier = CommandVerifier.withDefaults(KeyRing.of(TestEvents.signingKey(), neighbour), CLOCK);

        assertThat(reject(verifier, replanted)).isEqualTo(Kind.UNKNOWN_KEY);
    }

    @Test
    void unsignedCommandIsRejected() {
        assertThat(reject(verifierAt(NOW), TestEvents.controlCommand())).isEqualTo(Kind.UNSIGNED);
    }

    @Test
    void subMillisecondTimestampsAreRejected() {
        ControlCommand signed = signer.sign(TestEvents.controlCommand());
        ControlCommand finer = signed.withSignature(sig(signed.signature(), signed.signature().issuedAt().plusNanos(1),
                signed.signature().expiresAt(), signed.signature().nonce(), signed.signature().value()));

        assertThat(reject(verifierAt(NOW), finer)).isEqualTo(Kind.BAD_SIGNATURE);
    }

    @Test
    void fullNonceStoreFailsClosed() {
        CommandVerifier verifier = new CommandVerifier(TestEvents.keyRing(), new InMemoryNonceStore(1), CLOCK,
                Duration.ofSeconds(30), Duration.ofHours(1));
        verifier.verify(signer.sign(TestEvents.controlCommand()));

        assertThat(reject(verifier, signer.sign(TestEvents.controlCommand()))).isEqualTo(Kind.NONCE_CAPACITY);
    }

    @Test
    void nonceStorePurgesExpiredNoncesWhenFull() {
        InMemoryNonceStore store = new InMemoryNonceStore(1);
        store.markUsed("k", "n1", NOW, NOW.minusSeconds(1));

        assertThat(store.markUsed("k", "n2", NOW.plusSeconds(60), NOW.plusSeconds(1))).isTrue();
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    void canonicalFormIsStableAndDocumented() {
        ControlCommand c = TestEvents.controlCommand();
        String canonical = new String(CanonicalCommand.bytes(c, "k1", Instant.parse("2026-06-21T12:00:00Z"),
                Instant.parse("2026-06-21T12:02:00.5Z"), "AAAAAAAAAAAAAAAAAAAAAA"), java.nio.charset.StandardCharsets.UTF_8);

        assertThat(canonical).isEqualTo("""
                greenloop.control.command.v1
                commandId=cmd-0001
                greenhouseId=gh-test
                zoneId=zone-a
                actuator=vent
                value=45
                unit=%
                mode=predictive
                reason=air temperature predicted 26.1 degC above day band 24 degC
                predictionId=pred-0001
                algorithm=HMAC-SHA256
                keyId=k1
                issuedAt=2026-06-21T12:00:00.000Z
                expiresAt=2026-06-21T12:02:00.500Z
                nonce=AAAAAAAAAAAAAAAAAAAAAA
                """);
        assertThat(CanonicalCommand.decimal(21.50)).isEqualTo("21.5");
        assertThat(CanonicalCommand.decimal(-0.0)).isEqualTo("0");
        assertThat(CanonicalCommand.decimal(1.0e-7)).isEqualTo("0");
        assertThat(CanonicalCommand.decimal(36.699999999999996)).isEqualTo("36.7");
        assertThat(CanonicalCommand.decimal(0.0625)).isEqualTo("0.062");
        assertThat(CanonicalCommand.decimal(-3)).isEqualTo("-3");
    }

    @Test
    void theSignerSignsWithTheActiveKeyAndOldCommandsVerifyUntilTheyExpireDuringARotation() {
        SigningKey old = TestEvents.signingKey();
        SigningKey fresh = new SigningKey("gh-test-k2", TestEvents.GREENHOUSE, new byte[40]);
        ControlCommand before = new CommandSigner(KeyRing.of(old), CLOCK, Duration.ofMinutes(2)).sign(TestEvents.controlCommand());
        KeyRing rotating = KeyRing.parse("gh-test-k1:gh-test:" + TestEvents.KEY_SECRET_BASE64 + ",gh-test-k2:gh-test:"
                + Base64.getEncoder().encodeToString(new byte[40]) + ":active");

        ControlCommand after = new CommandSigner(rotating, CLOCK, Duration.ofMinutes(2)).sign(TestEvents.controlCommand());

        assertThat(after.signature().keyId()).isEqualTo("gh-test-k2");
        assertThat(rotating.accepted(TestEvents.GREENHOUSE)).extracting(SigningKey::keyId).containsExactly("gh-test-k1",
                "gh-test-k2");
        CommandVerifier gateway = CommandVerifier.withDefaults(rotating, CLOCK);
        assertThat(gateway.verify(before)).isEqualTo(before);
        assertThat(gateway.verify(after)).isEqualTo(after);
        // Once the old key is retired, what it signed is refused.
        CommandVerifier retired = CommandVerifier.withDefaults(KeyRing.of(fresh), CLOCK);
        assertThat(reject(retired, before)).isEqualTo(Kind.UNKNOWN_KEY);
    }

    @Test
    void aGreenhouseWithSeveralKeysNeedsExactlyOneActiveAndEveryJvmPicksTheSame() {
        String two = "a:gh-1:" + Base64.getEncoder().encodeToString(new byte[32]) + ",b:gh-1:"
                + Base64.getEncoder().encodeToString(new byte[33]);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KeyRing.parse(two).forGreenhouse("gh-1"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("none is marked active");
        assertThat(KeyRing.parse(two).withoutActiveKey()).containsExactly("gh-1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KeyRing.parse(two.replace(",b", ":active,b") + ":active"))
                .hasMessageContaining("2 keys marked active");
        for (int i = 0; i < 20; i++) {
            assertThat(KeyRing.parse(two + ":active").forGreenhouse("gh-1")).map(SigningKey::keyId).contains("b");
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KeyRing.parse(two + ":enabled"))
                .hasMessageContaining("[:active]");
    }

    @Test
    void theSignerRoundsTheValueToWhatItSigns() {
        ControlCommand raw = TestEvents.controlCommand();
        ControlCommand unrounded = new ControlCommand(raw.commandId(), raw.greenhouseId(), raw.zoneId(), raw.actuator(),
                10.1 + 20.2, raw.unit(), raw.mode(), raw.reason(), raw.predictionId(), null);

        ControlCommand signed = new CommandSigner(TestEvents.keyRing(), CLOCK, Duration.ofMinutes(2)).sign(unrounded);

        assertThat(10.1 + 20.2).isNotEqualTo(30.3);
        assertThat(signed.value()).isEqualTo(30.3);
    }

    @Test
    void keyRingParsesConfigurationAndNeverPrintsSecrets() {
        KeyRing ring = KeyRing.parse("gh-test-k1:gh-test:" + TestEvents.KEY_SECRET_BASE64 + ", gh-2-k1:gh-2:"
                + Base64.getUrlEncoder().encodeToString(new byte[40]));

        assertThat(ring.size()).isEqualTo(2);
        assertThat(ring.forGreenhouse("gh-2")).map(SigningKey::keyId).contains("gh-2-k1");
        assertThat(ring.find("gh-test-k1")).contains(TestEvents.signingKey());
        assertThat(ring.find("gh-test-k1").orElseThrow().toString()).doesNotContain(TestEvents.KEY_SECRET_BASE64);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KeyRing.parse("k:gh:c2hvcnQ="))
                .hasMessageContaining("at least 32 bytes");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KeyRing.parse("k-gh-secret"))
                .hasMessageContaining("keyId:greenhouseId:base64Secret");
    }

    private static Kind reject(CommandVerifier verifier, ControlCommand command) {
        EventException e = catchThrowableOfType(EventException.class, () -> verifier.verify(command));
        assertThat(e).as("command should have been rejected").isNotNull();
        return e.kind();
    }

    private static Arguments tamper(String field, UnaryOperator<ControlCommand> change) {
        return Arguments.of(field, change);
    }

    private static ControlCommand with(ControlCommand c, ActuatorKind actuator, double value, String zone,
                                       String commandId, String reason, CommandMode mode, String predictionId) {
        return new ControlCommand(commandId, c.greenhouseId(), zone, actuator, value, actuator.unit(), mode, reason,
                predictionId, c.signature());
    }

    private static CommandSignature sig(CommandSignature s, Instant issued, Instant expires, String nonce, String value) {
        return new CommandSignature(s.algorithm(), s.keyId(), issued, expires, nonce, value);
    }

    private static String flipFirst(String value) {
        char first = value.charAt(0);
        return (first == 'A' ? 'B' : 'A') + value.substring(1);
    }
}
