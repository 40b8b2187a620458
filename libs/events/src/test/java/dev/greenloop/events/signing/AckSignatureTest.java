package dev.greenloop.events.signing;

import dev.greenloop.events.EventException;
import dev.greenloop.events.EventException.Kind;
import dev.greenloop.events.TestEvents;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class AckSignatureTest {

    private static final Instant NOW = Instant.parse("2026-06-21T12:00:00.123Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final Duration SKEW = Duration.ofMinutes(5);
    private static final Instant ACKED = NOW.minusSeconds(3);

    private final String mac = AckSignature.sign(TestEvents.signingKey(), "cmd-1", "applied", ACKED);

    private Kind rejection(String greenhouse, String keyId, String commandId, String status, Instant ackedAt,
                           String signature) {
        EventException e = catchThrowableOfType(EventException.class, () -> AckSignature.verify(TestEvents.keyRing(),
                greenhouse, keyId, commandId, status, ackedAt, signature, CLOCK, SKEW));
        assertThat(e).as("acknowledgement should be rejected").isNotNull();
        return e.kind();
    }

    @Test
    void aSignedAcknowledgementVerifies() {
        assertThatCode(() -> AckSignature.verify(TestEvents.keyRing(), TestEvents.GREENHOUSE, TestEvents.KEY_ID,
                "cmd-1", "applied", ACKED, mac, CLOCK, SKEW)).doesNotThrowAnyException();
    }

    @Test
    void changingAnySignedFieldBreaksTheSignature() {
        String gh = TestEvents.GREENHOUSE;
        String key = TestEvents.KEY_ID;
        assertThat(rejection(gh, key, "cmd-2", "applied", ACKED, mac)).isEqualTo(Kind.BAD_SIGNATURE);
        assertThat(rejection(gh, key, "cmd-1", "rejected", ACKED, mac)).isEqualTo(Kind.BAD_SIGNATURE);
        assertThat(rejection(gh, key, "cmd-1", "applied", ACKED.plusMillis(1), mac)).isEqualTo(Kind.BAD_SIGNATURE);
        assertThat(rejection(gh, key, "cmd-1", "applied", ACKED, mac.substring(1))).isEqualTo(Kind.BAD_SIGNATURE);
        assertThat(rejection(gh, key, "cmd-1", "applied", ACKED, "not base64!")).isEqualTo(Kind.BAD_SIGNATURE);
        assertThat(rejection(gh, key, "cmd-1", "applied", ACKED, null)).isEqualTo(Kind.BAD_SIGNATURE);
    }

    @Test
    void aKeyOfAnotherGreenhouseOrAnUnknownKeyIsRejected() {
        assertThat(rejection("gh-other", TestEvents.KEY_ID, "cmd-1", "applied", ACKED, mac)).isEqualTo(Kind.UNKNOWN_KEY);
        assertThat(rejection(TestEvents.GREENHOUSE, "nope", "cmd-1", "applied", ACKED, mac)).isEqualTo(Kind.UNKNOWN_KEY);
    }

    @Test
    void acknowledgementsOutsideTheSkewAreRejected() {
        Instant old = NOW.minus(SKEW).minusSeconds(1);
        Instant future = NOW.plus(SKEW).plusSeconds(1);
        assertThat(rejection(TestEvents.GREENHOUSE, TestEvents.KEY_ID, "cmd-1", "applied", old,
                AckSignature.sign(TestEvents.signingKey(), "cmd-1", "applied", old))).isEqualTo(Kind.EXPIRED);
        assertThat(rejection(TestEvents.GREENHOUSE, TestEvents.KEY_ID, "cmd-1", "applied", future,
                AckSignature.sign(TestEvents.signingKey(), "cmd-1", "applied", future))).isEqualTo(Kind.NOT_YET_VALID);
    }

    @Test
    void theSignedTextIsDocumentedAndDomainSeparatedFromCommands() {
        assertThat(new String(AckSignature.canonical("cmd-1", "applied", ACKED, "k1"), StandardCharsets.UTF_8))
                .isEqualTo("greenloop-ack-v1\ncmd-1\napplied\n" + ACKED.toEpochMilli() + "\nk1");
    }
}
