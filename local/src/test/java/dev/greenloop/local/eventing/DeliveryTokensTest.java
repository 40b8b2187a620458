package dev.greenloop.local.eventing;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class DeliveryTokensTest {

    @Test
    void aTokenIsReusedPerAudienceUntilItsTimeIsUpThenMintedAgain() {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-06-20T12:00:00Z"));
        List<String> minted = new ArrayList<>();
        DeliveryTokens tokens = new DeliveryTokens(audience -> {
            String token = audience + "#" + minted.size();
            minted.add(token);
            return token;
        }, Duration.ofMinutes(4), now::get);

        assertThat(tokens.apply("greenloop-infer")).isEqualTo("greenloop-infer#0");
        assertThat(tokens.apply("greenloop-control")).isEqualTo("greenloop-control#1");
        now.set(now.get().plus(Duration.ofMinutes(3).plusSeconds(59)));
        assertThat(tokens.apply("greenloop-infer")).isEqualTo("greenloop-infer#0");
        assertThat(tokens.apply("greenloop-control")).isEqualTo("greenloop-control#1");
        assertThat(minted).hasSize(2);

        now.set(now.get().plusSeconds(1));
        assertThat(tokens.apply("greenloop-infer")).isEqualTo("greenloop-infer#2");
        assertThat(tokens.apply("greenloop-infer")).isEqualTo("greenloop-infer#2");
        assertThat(minted).hasSize(3);
    }
}
