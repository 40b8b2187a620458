package dev.greenloop.testkit.go;

import dev.greenloop.testkit.TestkitDirs;
import dev.greenloop.testkit.TestkitException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
        try {
            Files.createDirectories(dir);
            ProcessBuilder builder = new ProcessBuilder("go", "install", module + "@" + version).redirectErrorStream(true);
            builder.environment().put("GOBIN", dir.toString());
            Process p = builder.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0 || !Files.isExecutable(binary)) {
                throw new TestkitException(TestkitException.Kind.INSTALL_FAILED,
                        "go install " + module + "@" + version + " failed (Go and the Go module proxy are needed): " + out);
            }
            return binary;
        } catch (IOException e) {
            throw new TestkitException(TestkitException.Kind.INSTALL_FAILED, "cannot run go install " + module + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestkitException(TestkitException.Kind.KIT_BROKEN, "interrupted installing " + module, e);
        }
    }
}
