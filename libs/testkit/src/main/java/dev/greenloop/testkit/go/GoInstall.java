package dev.greenloop.testkit.go;

import dev.greenloop.testkit.TestkitDirs;
import dev.greenloop.testkit.TestkitException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A command-line tool published as a Go module, for the tests: {@code go install module@version}
 * with the machine's Go, from the Go module proxy, once, into the cache
 * ({@code ~/.cache/greenloop/go/<name>-<version>/}). Nothing is installed system-wide.
 */
public final class GoInstall {

    private GoInstall() {
    }

    /**
     * The binary {@code name} of {@code module} at {@code version} (for example
     * {@code sigs.k8s.io/kustomize/kustomize/v5}, {@code v5.8.1}, {@code kustomize}).
     */
    public static synchronized Path tool(String module, String version, String name) {
        Path dir = TestkitDirs.cache().resolve("go/" + name + "-" + version);
        Path binary = dir.resolve(name);
        if (Files.isExecutable(binary)) {
            return binary;
        }
        go(null, Map.of("GOBIN", dir.toString()), "install", module + "@" + version);
        if (!Files.isExecutable(binary)) {
            throw new TestkitException(TestkitException.Kind.INSTALL_FAILED, "go install " + module + "@" + version
                    + " made no " + name);
        }
        return binary;
    }

    /** Builds the Go main package in {@code source} into {@code binary}, unless it is there already. */
    public static synchronized Path build(Path source, Path binary) {
        if (!Files.isExecutable(binary)) {
            try {
                Files.createDirectories(binary.toAbsolutePath().getParent());
            } catch (IOException e) {
                throw new TestkitException(TestkitException.Kind.INSTALL_FAILED, "cannot create the directory of " + binary
                        + ": " + e.getMessage(), e);
            }
            go(source, Map.of(), "build", "-o", binary.toString(), ".");
        }
        return binary;
    }

    /** Runs {@code go args} (in {@code dir} when not null), failing with what it printed. */
    private static void go(Path dir, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of("go"));
        command.addAll(List.of(args));
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            if (dir != null) {
                builder.directory(dir.toFile());
            }
            builder.environment().putAll(env);
            Process p = builder.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new TestkitException(TestkitException.Kind.INSTALL_FAILED, String.join(" ", command)
                        + " failed (Go and the Go module proxy are needed): " + out);
            }
        } catch (IOException e) {
            throw new TestkitException(TestkitException.Kind.INSTALL_FAILED, "cannot run " + String.join(" ", command) + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestkitException(TestkitException.Kind.KIT_BROKEN, "interrupted running " + String.join(" ", command), e);
        }
    }
}
