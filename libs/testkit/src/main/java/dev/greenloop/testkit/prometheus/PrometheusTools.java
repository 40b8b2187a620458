package dev.greenloop.testkit.prometheus;

import dev.greenloop.testkit.TestkitDirs;
import dev.greenloop.testkit.TestkitException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Prometheus's own tools for the tests: {@code promtool} (rule checks and rule unit tests) and
 * the {@code prometheus} server. Taken, in order, from {@code $GREENLOOP_PROMETHEUS_BIN} (a
 * directory holding both), from the {@code PATH}, or from Debian's {@code prometheus} package,
 * downloaded once with {@code apt-get download} (no root needed when the package lists exist;
 * as root, {@code apt-get update} fills them first) and unpacked with {@code dpkg-deb} into the
 * cache ({@code ~/.cache/greenloop/prometheus}); nothing is installed system-wide and no
 * service is started. About 19 MB, a few seconds.
 */
public final class PrometheusTools {

    private static Path bin;

    private PrometheusTools() {
    }

    /** The directory holding {@code promtool} and {@code prometheus}. */
    public static synchronized Path bin() {
        if (bin == null) {
            bin = locate();
        }
        return bin;
    }

    public static Path promtool() {
        return bin().resolve("promtool");
    }

    public static Path prometheus() {
        return bin().resolve("prometheus");
    }

    /** Runs {@code promtool args} in {@code dir}; its exit code and what it printed. */
    public static Result promtool(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of(promtool().toString()));
        command.addAll(List.of(args));
        return run(dir, command);
    }

    public record Result(int exitCode, String output) {
    }

    /**
     * Where Prometheus's tools are already on this machine ({@code $GREENLOOP_PROMETHEUS_BIN},
     * the {@code PATH}, or the test kit's cache), without fetching them; empty when they are not.
     */
    public static Optional<Path> installed() {
        String env = System.getenv("GREENLOOP_PROMETHEUS_BIN");
        if (env != null && !env.isBlank()) {
            return usable(Path.of(env)) ? Optional.of(Path.of(env)) : Optional.empty();
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isBlank() && usable(Path.of(dir))) {
                return Optional.of(Path.of(dir));
            }
        }
        Path unpacked = TestkitDirs.cache().resolve("prometheus/root/usr/bin");
        return usable(unpacked) ? Optional.of(unpacked) : Optional.empty();
    }

    private static Path locate() {
        Optional<Path> found = installed();
        if (found.isPresent()) {
            return found.get();
        }
        String env = System.getenv("GREENLOOP_PROMETHEUS_BIN");
        if (env != null && !env.isBlank()) {
            return fail("$GREENLOOP_PROMETHEUS_BIN (" + env + ") holds no promtool and prometheus");
        }
        Path cached = TestkitDirs.cache().resolve("prometheus");
        return download(cached, cached.resolve("root/usr/bin"));
    }

    private static boolean usable(Path dir) {
        return Files.isExecutable(dir.resolve("promtool")) && Files.isExecutable(dir.resolve("prometheus"));
    }

    private static Path download(Path cached, Path unpacked) {
        try {
            Path debs = Files.createDirectories(cached.resolve("debs"));
            Result got = run(debs, List.of("apt-get", "download", "prometheus"));
            if (got.exitCode() != 0 && "root".equals(System.getProperty("user.name"))) {
                run(debs, List.of("apt-get", "update", "-q"));
                got = run(debs, List.of("apt-get", "download", "prometheus"));
            }
            if (got.exitCode() != 0) {
                return fail("apt-get download prometheus failed: " + got.output().strip()
                        + " (install Debian's prometheus package, or set GREENLOOP_PROMETHEUS_BIN)");
            }
            Path deb;
            try (Stream<Path> files = Files.list(debs)) {
                deb = files.filter(f -> f.getFileName().toString().startsWith("prometheus_")
                        && f.getFileName().toString().endsWith(".deb")).findFirst().orElseThrow();
            }
            Result unpack = run(cached, List.of("dpkg-deb", "-x", deb.toString(), cached.resolve("root").toString()));
            if (unpack.exitCode() != 0 || !usable(unpacked)) {
                return fail("cannot unpack " + deb + ": " + unpack.output().strip());
            }
            return unpacked;
        } catch (IOException e) {
            throw new TestkitException(TestkitException.Kind.INSTALL_FAILED, "cannot fetch Prometheus's tools into " + cached, e);
        }
    }

    private static Result run(Path dir, List<String> command) {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new TestkitException(TestkitException.Kind.START_TIMEOUT, String.join(" ", command) + " did not finish in 5 minutes");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new TestkitException(TestkitException.Kind.INSTALL_FAILED, "cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestkitException(TestkitException.Kind.KIT_BROKEN, "interrupted running " + command.get(0), e);
        }
    }

    private static Path fail(String message) {
        throw new TestkitException(TestkitException.Kind.INSTALL_FAILED, message);
    }
}
