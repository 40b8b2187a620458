package dev.greenloop.local;

import dev.greenloop.events.clock.ClockFile;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The live phase in simulated time, in lock step: the simulated time (a {@link ClockFile} every
 * function reads) moves one minute; the PingSources due fire; each greenhouse's gateway steps its
 * simulation by that minute and posts the readings; then time holds until the loop has settled
 * ({@link Settle}: every event of the minute handled, every command applied and acknowledged)
 * and no training run is active (training is not simulated: a run takes no simulated time). A
 * simulated day passes as fast as the loop can settle its 1,440 minutes.
 *
 * <p>A minute that does not settle within {@code settleLimit} goes on anyway and is counted: an
 * event stuck in a retry with backoff must not stop the simulation.
 */
public final class LivePhase {

    /**
     * What the phase did: simulated and real time, steps, minutes that did not settle, time held
     * for training, and the time the loop took to settle before the first step (the Broker still
     * delivering the history's windows), which {@code real} leaves out; of {@code real},
     * {@code stepping} went to simulating and posting the readings, {@code settling} to waiting
     * for the loop.
     */
    public record Run(Instant from, Instant to, Duration real, int steps, int unsettled, Duration heldForTraining,
                      Duration drained, Duration stepping, Duration settling) {

        /** Simulated time per real time. */
        public double speed() {
            return real.isZero() ? 0 : Duration.between(from, to).toMillis() / (double) real.toMillis();
        }
    }

    /** Prints progress once per simulated hour. */
    public interface Hourly {
        void hour(Instant simulated, int hoursDone);
    }

    private LivePhase() {
    }

    /**
     * @param gateways  the greenhouses, each stepped every minute (in parallel)
     * @param training  whether a training run is active
     */
    public static Run run(ClockFile clock, Dispatcher dispatcher, List<Gateway> gateways, Settle settle, Instant from,
                          Duration length, BooleanSupplier training, Duration trainingLimit, Duration settleLimit,
                          Hourly hourly) throws InterruptedException {
        long drainFrom = System.nanoTime();
        clock.set(from);
        dispatcher.pingsInLockStep(from);
        // What the history left in flight is handled before simulated time moves.
        settle.await(trainingLimit, Duration.ofMillis(20));
        long start = System.nanoTime();
        int minutes = (int) length.toMinutes();
        int unsettled = 0;
        long held = 0;
        long stepping = 0;
        long settling = 0;
        Instant t = from;
        for (int m = 1; m <= minutes; m++) {
            t = from.plus(Duration.ofMinutes(m));
            clock.set(t);
            dispatcher.firePings(t);
            Instant until = t;
            long stepFrom = System.nanoTime();
            gateways.parallelStream().forEach(g -> g.advanceTo(until, 1));
            long settleFrom = System.nanoTime();
            stepping += settleFrom - stepFrom;
            if (!settle.await(settleLimit, Duration.ofMillis(2)).settled()) {
                unsettled++;
            }
            settling += System.nanoTime() - settleFrom;
            if (training.getAsBoolean()) {
                long heldFrom = System.nanoTime();
                long deadline = heldFrom + trainingLimit.toNanos();
                while (training.getAsBoolean() && System.nanoTime() < deadline) {
                    Thread.sleep(250);
                }
                held += System.nanoTime() - heldFrom;
                settle.await(settleLimit, Duration.ofMillis(2));
            }
            if (m % 60 == 0) {
                hourly.hour(t, m / 60);
            }
        }
        return new Run(from, t, Duration.ofNanos(System.nanoTime() - start), minutes, unsettled, Duration.ofNanos(held),
                Duration.ofNanos(start - drainFrom), Duration.ofNanos(stepping), Duration.ofNanos(settling));
    }
}
