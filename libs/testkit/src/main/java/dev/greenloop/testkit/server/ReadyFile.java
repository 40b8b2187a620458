package dev.greenloop.testkit.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** How a server JVM tells the kit it is ready: a file that appears atomically. */
public final class ReadyFile {

    public static final String NAME = "ready";

    private ReadyFile() {
    }

    static void write(Path dir, String content) {
        try {
            Path tmp = dir.resolve(NAME + ".tmp");
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.move(tmp, dir.resolve(NAME), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes the file of an earlier run, before the server is started again in the same directory. */
    public static void delete(Path dir) {
        try {
            Files.deleteIfExists(dir.resolve(NAME));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static boolean exists(Path dir) {
        return Files.exists(dir.resolve(NAME));
    }
}
