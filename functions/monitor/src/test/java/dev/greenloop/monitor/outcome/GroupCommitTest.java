package dev.greenloop.monitor.outcome;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Callers get their own result from a shared call; a failed call fails each of its callers; a caller alone is not held back. */
class GroupCommitTest {

    @Test
    void eachCallerGetsItsOwnResultAndBusyCallersShareCalls() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch firstCallRuns = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (GroupCommit<Integer, Integer> squares = new GroupCommit<>("test", 8, items -> {
            if (calls.incrementAndGet() == 1) {
                firstCallRuns.countDown();
                await(release);
            }
            return items.stream().map(i -> i * i).toList();
        })) {
            ExecutorService callers = Executors.newFixedThreadPool(21);
            try {
                Future<Integer> first = callers.submit(() -> squares.submit(-1));
                firstCallRuns.await();
                // While the first call runs, 20 callers queue: they go in batches of at most 8.
                List<Future<Integer>> results = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    int n = i;
                    results.add(callers.submit(() -> squares.submit(n)));
                }
                while (queued(squares) < 20) {
                    Thread.sleep(5);
                }
                release.countDown();
                assertThat(first.get()).isEqualTo(1);
                for (int i = 0; i < 20; i++) {
                    assertThat(results.get(i).get()).isEqualTo(i * i);
                }
                assertThat(calls.get()).isEqualTo(1 + 3);
            } finally {
                callers.shutdownNow();
            }
        }
    }

    @Test
    void aFailedCallFailsEveryCallerWithItsException() {
        try (GroupCommit<String, String> failing = new GroupCommit<>("test", 8, items -> {
            throw new IllegalStateException("MongoDB: down");
        })) {
            assertThatThrownBy(() -> failing.submit("a")).isInstanceOf(IllegalStateException.class).hasMessage("MongoDB: down");
            assertThatThrownBy(() -> failing.submit("b")).hasMessage("MongoDB: down");
        }
    }

    @Test
    void aClosedStageRefusesCalls() {
        GroupCommit<String, String> stage = new GroupCommit<>("test", 8, items -> items);
        assertThat(stage.submit("x")).isEqualTo("x");
        stage.close();
        assertThatThrownBy(() -> stage.submit("y")).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    private static int queued(GroupCommit<?, ?> stage) {
        return stage.queued();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
