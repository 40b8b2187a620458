package dev.greenloop.local;

import io.cloudevents.CloudEvent;
import io.fabric8.knative.sources.v1.PingSource;
import io.fabric8.knative.sources.v1.PingSourceBuilder;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The PingSources in lock step: every ping due fires once, in time order, at its scheduled time. */
class PingSourcesTest {

    private static PingSource source(String name, String schedule) {
        return new PingSourceBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().withSchedule(schedule)
                .withData("{\"greenhouseId\":\"gh-1\"}").endSpec().build();
    }

    @Test
    void inLockStepEveryDuePingFiresOnceInTimeOrder() {
        List<CloudEvent> fired = new ArrayList<>();
        // The loop's own clock is far ahead (accelerated history); lock step starts over from simulated time.
        PingSources pings = new PingSources(List.of(source("every-minute", "* * * * *"), source("hourly", "5 * * * *")),
                Clock.fixed(Instant.parse("2026-12-09T00:00:00Z"), ZoneOffset.UTC), fired::add);
        pings.lockStep(Instant.parse("2026-12-03T10:00:30Z"));

        assertThat(pings.fireUntil(Instant.parse("2026-12-03T10:00:59Z"))).isZero();
        assertThat(pings.fireUntil(Instant.parse("2026-12-03T10:03:00Z"))).isEqualTo(3);
        assertThat(pings.fireUntil(Instant.parse("2026-12-03T10:03:00Z"))).as("nothing fires twice").isZero();
        // 10:04 to 11:05 every minute, and the hourly ping at 10:05 and at 11:05.
        assertThat(pings.fireUntil(Instant.parse("2026-12-03T11:05:00Z"))).isEqualTo(62 + 2);

        List<Instant> times = fired.stream().map(e -> e.getTime().toInstant()).toList();
        assertThat(times).isSorted().first().isEqualTo(Instant.parse("2026-12-03T10:01:00Z"));
        assertThat(fired.stream().filter(e -> e.getSource().toString().endsWith("/hourly")).map(e -> e.getTime().toInstant()))
                .containsExactly(Instant.parse("2026-12-03T10:05:00Z"), Instant.parse("2026-12-03T11:05:00Z"));
        assertThat(new String(fired.get(0).getData().toBytes())).isEqualTo("{\"greenhouseId\":\"gh-1\"}");
    }
}
