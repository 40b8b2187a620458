package dev.greenloop.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/**
 * Lifecycle lines of the kit ("Kafka broker started on ... in 3.1 s"). They go to standard
 * error, so that they show in the build output, and to {@code testkit.log} under the kit's
 * directory. Plain printing on purpose: these lines are also written from shutdown hooks, when
 * logging frameworks may already be shut down.
 */
public final class TestkitLog {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private TestkitLog() {
    }

    public static synchronized void info(String message) {
        String line = TIME.format(LocalTime.now()) + " [greenloop-testkit] " + message;
        System.err.println(line);
        try {
            Path log = TestkitDirs.base().resolve("testkit.log");
            Files.createDirectories(log.getParent());
            Files.writeString(log, line + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException | RuntimeException ignored) {
            // The console line is enough; a read-only target directory must not fail a test.
        }
    }

    /** Seconds since {@code startNanos}, formatted for humans ("3.1 s"). */
    public static String since(long startNanos) {
        return String.format(java.util.Locale.ROOT, "%.1f s", (System.nanoTime() - startNanos) / 1e9);
    }
}
