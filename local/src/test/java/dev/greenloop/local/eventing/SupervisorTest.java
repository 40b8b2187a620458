package dev.greenloop.local.eventing;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class SupervisorTest {

    @Test
    void aLoopThatDiesIsStartedAgainAndCounted() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        Supervisor supervisor = new Supervisor(running::get, Duration.ofMillis(10));
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch finished = new CountDownLatch(1);

        supervisor.start("flaky", () -> {
            if (runs.incrementAndGet() < 3) {
                throw new IllegalStateException("consumer died");
            }
            finished.countDown();
        });

        assertThat(finished.await(10, TimeUnit.SECONDS)).isTrue();
        supervisor.join(Duration.ofSeconds(5));
        assertThat(runs.get()).isEqualTo(3);
        assertThat(supervisor.restarts()).isEqualTo(2);
    }

    @Test
    void aLoopThatDiesWhileStoppingIsNotStartedAgain() {
        AtomicBoolean running = new AtomicBoolean(true);
        Supervisor supervisor = new Supervisor(running::get, Duration.ofMillis(10));
        AtomicInteger runs = new AtomicInteger();

        supervisor.start("stopping", () -> {
            runs.incrementAndGet();
            running.set(false);
            throw new IllegalStateException("closed under it");
        });
        supervisor.join(Duration.ofSeconds(5));

        assertThat(runs.get()).isEqualTo(1);
        assertThat(supervisor.restarts()).isZero();
    }
}
