package dev.greenloop.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A {@link Service} that runs as one child process with its files in one directory: launching
 * it, waiting until it is ready, logging how long that took, and stopping it cleanly.
 */
public abstract class ChildService implements Service {

    private final Path dir;
    private ChildProcess process;

    protected ChildService(Path dir) {
        this.dir = dir;
    }

    /** Where the service is reached, for log lines ("127.0.0.1:9092"). */
    protected abstract String address();

    /** Directory of this instance: data, configuration, {@code output.log}. */
    public Path directory() {
        return dir;
    }

    /** The service's own output. */
    public Path logFile() {
        return dir.resolve("output.log");
    }

    /** Runs a server main class of the kit in a child JVM and waits for {@code ready}. */
    protected final void launchJava(List<String> heap, String logLevel, String mainClass, List<String> args,
                                    BooleanSupplier ready, Duration timeout) {
        Path logConfig = JavaCommand.writeLogConfig(dir, logLevel);
        List<String> jvm = new java.util.ArrayList<>(heap);
        jvm.add("-Dlog4j2.configurationFile=" + logConfig);
        launch(JavaCommand.of(jvm, mainClass, args), Map.of(), ready, timeout);
    }

    /** Runs {@code command} and waits for {@code ready}; fails with the end of the log otherwise. */
    protected final synchronized void launch(List<String> command, Map<String, String> env,
                                             BooleanSupplier ready, Duration timeout) {
        long t0 = System.nanoTime();
        process = ChildProcess.start(name(), command, dir, env, logFile());
        process.awaitReady(ready, timeout);
        TestkitLog.info(name() + " started on " + address() + " in " + TestkitLog.since(t0) + " (log: " + logFile() + ")");
    }

    /** Stops the service cleanly, keeping its data; {@link #restart()} brings it back. */
    public void stop() {
        requireOwn("stop");
        close();
    }

    /** Starts the service again on the same ports with the same data. */
    public synchronized void restart() {
        requireOwn("restart");
        close();
        relaunch();
    }

    /** Starts the process again, in the same directory and on the same ports. */
    protected abstract void relaunch();

    /** Freezes the process (SIGSTOP): connections stay open but nothing is answered. */
    public synchronized void pause() {
        requireOwn("pause");
        process.pause();
        TestkitLog.info(name() + " on " + address() + " paused");
    }

    /** Lets a {@link #pause() paused} process run again. */
    public synchronized void resume() {
        requireOwn("resume");
        process.resume();
        TestkitLog.info(name() + " on " + address() + " resumed");
    }

    /** The environment variable that made this an external service, or null when the kit runs it. */
    protected String externalVariable() {
        return null;
    }

    /** Refuses a fault on an external service (nothing of the kit's to stop or pause). */
    protected final void requireOwn(String operation) {
        if (externalVariable() != null) {
            throw External.refused(name(), externalVariable(), operation);
        }
    }

    /** The running process, for subclasses that pause or restart it. */
    protected final synchronized ChildProcess process() {
        return process;
    }

    /** Stops the process (closing its stdin, then signals) and logs how long it took. */
    @Override
    public synchronized void close() {
        if (process != null && process.isAlive()) {
            long t0 = System.nanoTime();
            boolean clean = process.stop(Duration.ofSeconds(30));
            TestkitLog.info(name() + " on " + address() + " stopped in " + TestkitLog.since(t0) + (clean ? "" : " (killed)"));
        }
    }
}
