package dev.greenloop.testkit.http;

import org.junit.jupiter.api.Assertions;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A gauge read from a function's Prometheus scrape, for tests that wait on what it shows. */
public final class ScrapedGauge {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private ScrapedGauge() {
    }

    /**
     * Reads {@code metrics} until the first series named {@code name} (any labels) shows
     * {@code expected}, for at most {@code timeout}; fails with the last value seen (-1: no such series).
     */
    public static void await(URL metrics, String name, double expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        double now = -1;
        while (System.nanoTime() < deadline) {
            now = read(metrics, name);
            if (now == expected) {
                return;
            }
            Thread.sleep(50);
        }
        double last = now;
        Assertions.fail(() -> name + " is " + last + ", not " + expected + ", after " + timeout.toSeconds() + " s");
    }

    /** The value of the first series named {@code name}, or -1 when there is none. */
    public static double read(URL metrics, String name) throws InterruptedException {
        try {
            String text = HTTP.send(HttpRequest.newBuilder(URI.create(metrics.toString())).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            return text.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(-1);
        } catch (IOException e) {
            return -1;
        }
    }
}
