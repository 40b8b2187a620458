package dev.greenloop.testkit.http;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;

/**
 * A load of many clients for a while: each client sends one kind of request over and over, and
 * every answer is counted as {@code "<kind> <status>"}, or {@code "<kind> io"} when no answer came
 * (the connection broke or timed out). Hostile-load tests assert on these counts.
 */
public final class Storm {

    /** Sends one request and returns the answer's status. */
    @FunctionalInterface
    public interface Request {
        int send() throws IOException, InterruptedException;
    }

    /** {@code count} clients sending {@code request}, counted under {@code kind}. */
    public record Clients(String kind, int count, Request request) {
    }

    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();

    private Storm() {
    }

    /** Runs every client for {@code length} and returns what they got back. */
    public static Storm run(Duration length, List<Clients> clients) throws InterruptedException {
        Storm storm = new Storm();
        ExecutorService pool = Executors.newFixedThreadPool(clients.stream().mapToInt(Clients::count).sum());
        try {
            long end = System.nanoTime() + length.toNanos();
            List<Future<?>> running = new ArrayList<>();
            for (Clients group : clients) {
                for (int c = 0; c < group.count(); c++) {
                    running.add(pool.submit(() -> {
                        while (System.nanoTime() < end) {
                            String outcome;
                            try {
                                outcome = String.valueOf(group.request().send());
                            } catch (IOException e) {
                                outcome = "io";
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                return;
                            }
                            storm.outcomes.computeIfAbsent(group.kind() + " " + outcome, k -> new LongAdder()).increment();
                        }
                    }));
                }
            }
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("a client of the storm failed: " + e.getCause(), e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return storm;
    }

    /** How many answers were {@code outcome} ({@code "<kind> <status>"}). */
    public long count(String outcome) {
        LongAdder adder = outcomes.get(outcome);
        return adder == null ? 0 : adder.sum();
    }

    /** Every outcome seen, with its count, in order. */
    public Map<String, Long> outcomes() {
        Map<String, Long> counts = new TreeMap<>();
        outcomes.forEach((k, v) -> counts.put(k, v.sum()));
        return counts;
    }

    @Override
    public String toString() {
        return outcomes().toString();
    }
}
