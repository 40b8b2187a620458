package dev.greenloop.local.eventing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Keeps the dispatcher's loops (a Trigger's or a Source's consumer, the PingSources) running: a
 * loop that dies is started again after a pause (1 s, doubling to 30 s), counted and logged, as
 * Knative's dispatcher pods are restarted; a loop that returns because the dispatcher stops ends.
 */
public final class Supervisor {

    private final BooleanSupplier running;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong restarts = new AtomicLong();
    private final Duration firstPause;

    public Supervisor(BooleanSupplier running, Duration firstPause) {
        this.running = running;
        this.firstPause = firstPause;
    }

    /** Loops that died and were started again. */
    public long restarts() {
        return restarts.get();
    }

    public void start(String name, Runnable loop) {
        Thread t = new Thread(() -> {
            Duration pause = firstPause;
            while (running.getAsBoolean()) {
                try {
                    loop.run();
                    return;
                } catch (RuntimeException e) {
                    if (!running.getAsBoolean()) {
                        return;
                    }
                    restarts.incrementAndGet();
                    System.err.println("dispatcher: " + name + " died (" + e + (e.getCause() == null ? "" : ", " + e.getCause())
                            + "); starting it again in " + pause.toMillis() + " ms");
                    try {
                        Thread.sleep(pause.toMillis());
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                    pause = pause.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30) : pause.multipliedBy(2);
                }
            }
        }, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    /** Waits up to {@code each} for every loop to end (after {@code running} turned false). */
    public void join(Duration each) {
        for (Thread t : threads) {
            try {
                t.join(each.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
