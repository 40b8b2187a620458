package dev.greenloop.function;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** A verified token is taken until it expires or its entry is {@link VerifiedTokens#MAX_AGE} old; nothing else is. */
class VerifiedTokensTest {

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-06-01T00:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };
    private final VerifiedTokens tokens = new VerifiedTokens(clock);

    @Test
    void aTokenNeverRememberedIsNotVerified() {
        assertThat(tokens.verified("never-seen")).isFalse();
        assertThat(tokens.verified(null)).isFalse();
    }

    @Test
    void aTokenIsTakenUntilItExpires() {
        tokens.remember("t", now.get().plusSeconds(60));
        assertThat(tokens.verified("t")).isTrue();
        assertThat(tokens.verified("other")).isFalse();
        advance(Duration.ofSeconds(59));
        assertThat(tokens.verified("t")).isTrue();
        advance(Duration.ofSeconds(1));
        assertThat(tokens.verified("t")).as("at its expiry").isFalse();
    }

    @Test
    void aLongLivedTokenIsVerifiedAgainAfterTheMaximumAge() {
        tokens.remember("t", now.get().plus(Duration.ofHours(24)));
        advance(VerifiedTokens.MAX_AGE.minusSeconds(1));
        assertThat(tokens.verified("t")).isTrue();
        advance(Duration.ofSeconds(1));
        assertThat(tokens.verified("t")).isFalse();
    }

    @Test
    void anExpiredTokenIsNotRemembered() {
        tokens.remember("t", now.get());
        tokens.remember("u", now.get().minusSeconds(1));
        assertThat(tokens.verified("t")).isFalse();
        assertThat(tokens.verified("u")).isFalse();
        assertThat(tokens.size()).isZero();
    }

    @Test
    void theCacheStaysBounded() {
        for (int i = 0; i < VerifiedTokens.MAX_ENTRIES * 3; i++) {
            tokens.remember("t" + i, now.get().plusSeconds(60));
        }
        assertThat(tokens.size()).isLessThanOrEqualTo(VerifiedTokens.MAX_ENTRIES);
        assertThat(tokens.verified("t" + (VerifiedTokens.MAX_ENTRIES * 3 - 1))).isTrue();
    }

    @Test
    void theBearerSchemeIsReadAsHttpSaysCaseInsensitively() {
        assertThat(CloudEventsSenders.bearer("Bearer abc")).isEqualTo("abc");
        assertThat(CloudEventsSenders.bearer("bearer abc")).isEqualTo("abc");
        assertThat(CloudEventsSenders.bearer("Basic abc")).isNull();
        assertThat(CloudEventsSenders.bearer("Bearer ")).isNull();
        assertThat(CloudEventsSenders.bearer(null)).isNull();
    }

    private void advance(Duration d) {
        now.set(now.get().plus(d));
    }
}
