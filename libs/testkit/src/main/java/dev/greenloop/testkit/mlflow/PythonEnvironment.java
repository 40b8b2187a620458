package dev.greenloop.testkit.mlflow;

import dev.greenloop.testkit.TestkitDirs;
import dev.greenloop.testkit.TestkitException;
import dev.greenloop.testkit.TestkitException.Kind;
import dev.greenloop.testkit.TestkitLog;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Python virtualenv the project creates for itself, under the cache directory, on first use:
 * {@code <cache>/venvs/<name>-<hash of its requirements>}. A complete environment is marked, so
 * later runs reuse it at once; a change of the pinned requirements makes a new one. Concurrent
 * builds (two test JVMs) wait for each other through a file lock.
 */
public final class PythonEnvironment {

    /** Environment variable naming the Python interpreter to build virtualenvs with. */
    public static final String PYTHON_ENV = "GREENLOOP_PYTHON";
    private static final long INSTALL_TIMEOUT_MINUTES = 20;
    private static final Pattern UNREACHABLE = Pattern.compile(
            "Failed to establish a new connection|Temporary failure in name resolution|Name or service not known"
                    + "|Network is unreachable|Connection refused|ConnectTimeoutError|ReadTimeoutError"
                    + "|No matching distribution found|Could not find a version that satisfies",
            Pattern.CASE_INSENSITIVE);

    private final Path home;

    private PythonEnvironment(Path home) {
        this.home = home;
    }

    /**
     * The environment {@code name} with {@code requirements} (and exact {@code constraints})
     * installed, creating it if needed. Files are classpath resources next to this class.
     *
     * @throws TestkitException {@code REGISTRY_UNREACHABLE} when pip cannot reach the package
     *                          index, {@code INSTALL_FAILED} otherwise
     */
    public static PythonEnvironment ensure(String name, String requirements, String constraints) {
        return ensure(name, resource(requirements), resource(constraints));
    }

    /** Like {@link #ensure(String, String, String)} with requirement files of the project (the trainer's). */
    public static PythonEnvironment ensure(String name, java.nio.file.Path requirements, java.nio.file.Path constraints) {
        try {
            return ensure(name, Files.readAllBytes(requirements), Files.readAllBytes(constraints));
        } catch (IOException e) {
            throw new TestkitException(Kind.KIT_BROKEN, "Cannot read " + requirements + " or " + constraints + ": " + e, e);
        }
    }

    private static PythonEnvironment ensure(String name, byte[] req, byte[] con) {
        Path venvs = TestkitDirs.cache().resolve("venvs");
        Path home = venvs.resolve(name + "-" + hash(req, con));
        Path complete = home.resolve(".greenloop-complete");
        if (Files.exists(complete)) {
            return new PythonEnvironment(home);
        }
        try {
            Files.createDirectories(venvs);
            try (FileChannel channel = FileChannel.open(venvs.resolve(home.getFileName() + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = channel.lock()) {
                if (!Files.exists(complete)) {
                    install(home, req, con);
                    Files.writeString(complete, "ok", StandardCharsets.UTF_8);
                }
            }
        } catch (IOException e) {
            throw new TestkitException(Kind.INSTALL_FAILED, "Cannot prepare the Python environment " + home + ": " + e, e);
        }
        return new PythonEnvironment(home);
    }

    public Path home() {
        return home;
    }

    /** An executable of the environment, e.g. {@code python} or {@code mlflow}. */
    public Path bin(String executable) {
        return home.resolve("bin").resolve(executable);
    }

    private static void install(Path home, byte[] requirements, byte[] constraints) throws IOException {
        long t0 = System.nanoTime();
        deleteRecursively(home);
        Path log = home.resolveSibling(home.getFileName() + ".install.log");
        Files.deleteIfExists(log);
        String python = System.getenv().getOrDefault(PYTHON_ENV, "python3");
        TestkitLog.info("Creating Python environment " + home + " with " + python
                + " (first use; pip downloads from the package index, log: " + log + ")");
        run(List.of(python, "-m", "venv", home.toString()), home.getParent(), log,
                "creating the virtualenv with " + python + " (is Python 3.10+ installed? set " + PYTHON_ENV + " to choose one)");
        Path req = home.resolve("requirements.txt");
        Path con = home.resolve("constraints.txt");
        Files.write(req, requirements);
        Files.write(con, constraints);
        run(List.of(home.resolve("bin/pip").toString(), "install", "--disable-pip-version-check", "--no-input",
                "--progress-bar", "off", "-r", req.toString(), "-c", con.toString()), home, log, "pip install");
        TestkitLog.info("Python environment " + home.getFileName() + " ready in " + TestkitLog.since(t0));
    }

    private static void run(List<String> command, Path dir, Path log, String what) throws IOException {
        Process process;
        try {
            process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new TestkitException(Kind.INSTALL_FAILED, "Cannot run " + command.get(0) + " for " + what + ": "
                    + e.getMessage());
        }
        try {
            if (!process.waitFor(INSTALL_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new TestkitException(Kind.REGISTRY_UNREACHABLE, what + " did not finish in "
                        + INSTALL_TIMEOUT_MINUTES + " minutes; is the package index reachable? Log: " + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new TestkitException(Kind.INSTALL_FAILED, "Interrupted during " + what);
        }
        if (process.exitValue() != 0) {
            String output = Files.readString(log, StandardCharsets.UTF_8);
            String tail = tail(output, 15);
            if (UNREACHABLE.matcher(output).find()) {
                throw new TestkitException(Kind.REGISTRY_UNREACHABLE, "pip could not reach the package index "
                        + "(PyPI) to install the pinned packages; check network access or a configured mirror "
                        + "(pip config list). Log: " + log + "\n" + tail);
            }
            throw new TestkitException(Kind.INSTALL_FAILED, what + " failed with exit code " + process.exitValue()
                    + ". Log: " + log + "\n" + tail);
        }
    }

    private static String tail(String text, int lines) {
        String[] all = text.split("\\R");
        return String.join("\n", java.util.Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
    }

    private static byte[] resource(String name) {
        try (InputStream in = PythonEnvironment.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new TestkitException(Kind.KIT_BROKEN, "Missing resource " + name + " of the test kit");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String hash(byte[]... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                sha.update(part);
            }
            sha.update(System.getenv().getOrDefault(PYTHON_ENV, "python3").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
