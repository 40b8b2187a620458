package dev.greenloop.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A service running as a child process, its output in a log file.
 *
 * <p>The child's standard input stays open for as long as the child should live: every server
 * the kit starts exits when it reads end-of-file there. So if the test JVM dies without running
 * its shutdown hooks, its services go with it instead of holding ports for the next run.
 */
public final class ChildProcess {

    private static final HttpClient PROBE = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Path log;
    private final Process process;
    private final OutputStream stdin;

    private ChildProcess(String name, Path log, Process process) {
        this.name = name;
        this.log = log;
        this.process = process;
        this.stdin = process.getOutputStream();
    }

    /** Starts {@code command} in {@code workDir}, appending stdout and stderr to {@code log}. */
    public static ChildProcess start(String name, List<String> command, Path workDir, Map<String, String> env, Path log) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, "# " + String.join(" ", command) + System.lineSeparator(),
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            return new ChildProcess(name, log, builder.start());
        } catch (IOException e) {
            throw new TestkitException(TestkitException.Kind.START_FAILED,
                    "Cannot start " + name + " (" + command.get(0) + "): " + e.getMessage(), e);
        }
    }

    /**
     * Waits until {@code ready} holds, failing fast when the process exits first.
     *
     * @throws TestkitException with the end of the service's log when it exits or times out
     */
    public void awaitReady(BooleanSupplier ready, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (ready.getAsBoolean()) {
                return;
            }
            if (!process.isAlive()) {
                throw new TestkitException(TestkitException.Kind.START_FAILED, name + " exited with code "
                        + process.exitValue() + " while starting. Its log (" + log + ") ends with:\n" + tail(40));
            }
            if (System.nanoTime() > deadline) {
                stop(Duration.ofSeconds(5));
                throw new TestkitException(TestkitException.Kind.START_TIMEOUT, name + " was not ready after "
                        + timeout.toSeconds() + " s. Its log (" + log + ") ends with:\n" + tail(40));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TestkitException(TestkitException.Kind.START_FAILED, "Interrupted while starting " + name, e);
            }
        }
    }

    /** A readiness probe for {@link #awaitReady}: whether {@code uri} answers a GET with 2xx. */
    public static BooleanSupplier httpOk(URI uri) {
        return () -> {
            try {
                int status = PROBE.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                return status >= 200 && status < 300;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        };
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    /** The most memory the process has had resident so far (VmHWM, Linux), in KiB. */
    public long peakRssKiB() {
        return status("VmHWM");
    }

    /** The memory the process has resident now (VmRSS, Linux), in KiB. */
    public long rssKiB() {
        return status("VmRSS");
    }

    private long status(String field) {
        try {
            return Files.readAllLines(Path.of("/proc/" + process.pid() + "/status")).stream()
                    .filter(l -> l.startsWith(field + ":")).map(l -> Long.parseLong(l.replaceAll("\\D", "")))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no " + field + " for process " + process.pid()));
        } catch (IOException e) {
            throw new UncheckedIOException("reading the status of process " + process.pid()
                    + " (has it exited?): " + e.getMessage(), e);
        }
    }

    /**
     * Stops the process: closes its standard input (it shuts down cleanly), then after
     * {@code grace} sends SIGTERM, then SIGKILL. Returns whether it stopped without being killed.
     */
    public boolean stop(Duration grace) {
        if (!process.isAlive()) {
            return true;
        }
        resume();
        try {
            stdin.close();
        } catch (IOException ignored) {
            // Already closed: the signals below still work.
        }
        try {
            if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
            List<ProcessHandle> descendants = new ArrayList<>(process.descendants().toList());
            process.destroy();
            if (process.waitFor(10, TimeUnit.SECONDS)) {
                descendants.forEach(ProcessHandle::destroy);
                return true;
            }
            descendants.forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return false;
        }
    }

    /**
     * Kills the process with SIGKILL, as the kernel's OOM killer or a node failure would: no
     * shutdown hook runs, nothing is flushed or closed. Returns once it has exited.
     */
    public void kill() {
        resume();
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        try {
            if (!process.destroyForcibly().waitFor(30, TimeUnit.SECONDS)) {
                throw new TestkitException(TestkitException.Kind.START_FAILED, name + " did not exit 30 s after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Freezes the process (SIGSTOP): it keeps its ports but answers nothing, like a hung server. */
    public void pause() {
        signal("STOP");
    }

    /** Lets a paused process run again (SIGCONT). */
    public void resume() {
        signal("CONT");
    }

    private void signal(String signal) {
        List<Long> pids = new ArrayList<>();
        pids.add(process.pid());
        process.descendants().forEach(d -> pids.add(d.pid()));
        for (long pid : pids) {
            try {
                new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor(5, TimeUnit.SECONDS);
            } catch (IOException e) {
                throw new TestkitException(TestkitException.Kind.START_FAILED, "Cannot send SIG" + signal + " to " + name, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The last {@code lines} lines of the log, for error messages. */
    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | java.io.UncheckedIOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }
}
