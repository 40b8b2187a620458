package dev.greenloop.testkit;

import dev.greenloop.testkit.http.Storm;
import org.junit.jupiter.api.Assertions;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A function's packaged application ({@code target/quarkus-app}) started as its Knative Service
 * starts the container: from the application's directory, with the Service's JVM options, on
 * free ports. For the tests that hold the shipped memory settings against the worst load
 * ({@code MemoryUnderHostileLoadIT}): {@link #assertSurvived} is what every one of them checks
 * after its {@link Storm}.
 */
public final class PackagedFunction implements AutoCloseable {

    private final String function;
    private final ServiceManifest service;
    private final ChildProcess process;
    private final URI base;

    private PackagedFunction(String function, ServiceManifest service, ChildProcess process, URI base) {
        this.function = function;
        this.service = service;
        this.process = process;
        this.base = base;
    }

    /**
     * Starts {@code function}, the module the test runs in, with {@code properties} (the
     * addresses of the test's services) and {@code env}. Its log is {@code output.log} in a new
     * directory of the kit's ({@link TestkitDirs#newServiceDir}), as the kit's services' are.
     */
    public static PackagedFunction start(String function, List<String> properties, Map<String, String> env) {
        Path app = Path.of("target/quarkus-app").toAbsolutePath();
        if (!Files.isRegularFile(app.resolve("quarkus-run.jar"))) {
            throw new IllegalStateException(function + " is packaged before its integration tests: no " + app.resolve("quarkus-run.jar"));
        }
        ServiceManifest service = ServiceManifest.of(Path.of("../..").toAbsolutePath().normalize(), function);
        int port = FreePorts.next();
        List<String> all = new ArrayList<>(List.of("-Dquarkus.http.port=" + port, "-Dquarkus.management.port=" + FreePorts.next()));
        all.addAll(properties);
        Path log = TestkitDirs.newServiceDir(function).resolve("output.log");
        ChildProcess process = ChildProcess.start(function, service.command("quarkus-run.jar", all), app, env, log);
        return new PackagedFunction(function, service, process, URI.create("http://127.0.0.1:" + port + "/"));
    }

    /** The application's HTTP address, ending in {@code /}. */
    public URI base() {
        return base;
    }

    /** Waits until {@code /q/health/ready} answers 200. */
    public void awaitReady() {
        awaitReady(ChildProcess.httpOk(base.resolve("/q/health/ready")));
    }

    /** Waits until {@code ready} holds (at most two minutes). */
    public void awaitReady(BooleanSupplier ready) {
        process.awaitReady(ready, Duration.ofSeconds(120));
    }

    /**
     * What every storm must leave behind, printed and then asserted: the heap never ran out
     * (no {@code OutOfMemoryError} in the log; the Service's options exit on one), the process
     * is alive, and its peak RSS stayed under the Service's memory limit. {@code load} says what
     * it went through, for the test's output ("[24, 8] clients for 30 s").
     */
    public void assertSurvived(String load, Storm storm) throws IOException {
        long peakMiB = process.peakRssKiB() / 1024;
        System.out.printf(Locale.ROOT, "%s with %s after %s: %s; peak RSS %d MiB of the Service's %d MiB limit%n",
                function, service.javaOptions(), load, storm, peakMiB, service.memoryLimitMiB());
        Assertions.assertFalse(Files.readString(process.log()).contains("java.lang.OutOfMemoryError"),
                () -> function + " ran out of memory; its log ends:\n" + process.tail(30));
        Assertions.assertTrue(process.isAlive(), () -> function + " is not running; its log ends:\n" + process.tail(30));
        Assertions.assertTrue(peakMiB < service.memoryLimitMiB(),
                () -> function + "'s peak RSS " + peakMiB + " MiB is over the Service's limit of " + service.memoryLimitMiB() + " MiB");
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(10));
    }
}
