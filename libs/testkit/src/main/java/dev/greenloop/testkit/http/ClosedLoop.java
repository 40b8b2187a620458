package dev.greenloop.testkit.http;

import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A load driver's clients in a closed loop: each sends its next request as soon as the answer
 * to the one before has come, for a while, and the time of each request is recorded. What the
 * load drivers in {@code bench/} measure throughput and latency with.
 */
public final class ClosedLoop {

    /** Client {@code client}'s next request; throws when it was not answered as it should be, which ends the run. */
    @FunctionalInterface
    public interface Request {
        void send(int client) throws Exception;
    }

    /**
     * @param requests the requests answered
     * @param seconds  how long the clients ran
     * @param latency  each request's time, µs (up to a minute, three significant digits)
     */
    public record Result(long requests, double seconds, Histogram latency) {

        public double perSecond() {
            return requests / seconds;
        }

        /** The {@code percentile}'s request time, ms. */
        public double millis(double percentile) {
            return latency.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    private ClosedLoop() {
    }

    /** Runs {@code clients} clients, each on a thread of its own, for {@code length}. */
    public static Result run(int clients, Duration length, Request request) throws InterruptedException {
        Histogram latency = new Histogram(60_000_000L, 3);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            long start = System.nanoTime();
            long end = start + length.toNanos();
            List<Future<Long>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                done.add(pool.submit(() -> {
                    long requests = 0;
                    while (System.nanoTime() < end) {
                        long t0 = System.nanoTime();
                        request.send(client);
                        long micros = (System.nanoTime() - t0) / 1_000;
                        synchronized (latency) {
                            latency.recordValue(Math.min(micros, latency.getHighestTrackableValue()));
                        }
                        requests++;
                    }
                    return requests;
                }));
            }
            long requests = 0;
            for (Future<Long> f : done) {
                try {
                    requests += f.get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException("a client failed: " + e.getCause().getMessage(), e.getCause());
                }
            }
            return new Result(requests, (System.nanoTime() - start) / 1e9, latency);
        } finally {
            pool.shutdownNow();
        }
    }
}
