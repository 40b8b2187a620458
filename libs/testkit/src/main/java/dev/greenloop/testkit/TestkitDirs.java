package dev.greenloop.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where the kit keeps things.
 *
 * <ul>
 *   <li>{@link #base()}: logs and data of this run, {@code greenloop.testkit.dir} (the build
 *       sets it to the module's {@code target/testkit}), default {@code target/testkit}.</li>
 *   <li>{@link #cache()}: what survives between runs (the Python environments),
 *       {@code greenloop.cache.dir} or {@code $GREENLOOP_CACHE_DIR}, default
 *       {@code $XDG_CACHE_HOME/greenloop} or {@code ~/.cache/greenloop}.</li>
 * </ul>
 */
public final class TestkitDirs {

    public static final String DIR_PROPERTY = "greenloop.testkit.dir";
    public static final String CACHE_PROPERTY = "greenloop.cache.dir";
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private TestkitDirs() {
    }

    public static Path base() {
        return Paths.get(System.getProperty(DIR_PROPERTY, "target/testkit")).toAbsolutePath();
    }

    public static Path cache() {
        String configured = System.getProperty(CACHE_PROPERTY, System.getenv("GREENLOOP_CACHE_DIR"));
        if (configured != null && !configured.isBlank()) {
            return Paths.get(configured).toAbsolutePath();
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path root = xdg != null && !xdg.isBlank() ? Paths.get(xdg) : Paths.get(System.getProperty("user.home"), ".cache");
        return root.resolve("greenloop").toAbsolutePath();
    }

    /** A new, empty directory for one service instance, e.g. {@code target/testkit/kafka-153012-1}. */
    public static Path newServiceDir(String service) {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("HHmmss"));
        Path dir = base().resolve(service + "-" + stamp + "-" + SEQUENCE.incrementAndGet());
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + dir, e);
        }
    }
}
