package dev.greenloop.testkit.mlflow;

import dev.greenloop.testkit.ChildProcess;
import dev.greenloop.testkit.FreePorts;
import dev.greenloop.testkit.Service;
import dev.greenloop.testkit.SharedServices;
import dev.greenloop.testkit.TestkitDirs;
import dev.greenloop.testkit.TestkitException;
import dev.greenloop.testkit.TestkitLog;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The real MLflow tracking and registry server ({@code mlflow server}, pinned in
 * {@code requirements.txt}) from the kit's own virtualenv: SQLite backend store, artifacts
 * proxied by the server ({@code --artifacts-destination}), on a free loopback port.
 */
public final class MlflowServer implements Service {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final Path dir;
    private final int port;
    private ChildProcess process;

    private MlflowServer(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** The server shared by every test of this JVM, started on first use. */
    public static MlflowServer shared() {
        return SharedServices.get(MlflowServer.class, MlflowServer::start);
    }

    /** A new server of its own (own database and artifact store); the caller closes it. */
    public static MlflowServer start() {
        MlflowServer server = new MlflowServer(TestkitDirs.newServiceDir("mlflow"), FreePorts.next());
        server.launch(environment());
        return server;
    }

    /** The kit's MLflow virtualenv, created on first use. */
    public static PythonEnvironment environment() {
        return PythonEnvironment.ensure("mlflow", "requirements.txt", "constraints.txt");
    }

    @Override
    public String name() {
        return "MLflow server";
    }

    /** {@code http://127.0.0.1:<port>}: the tracking URI for clients. */
    public URI trackingUri() {
        return URI.create("http://" + FreePorts.LOOPBACK + ":" + port);
    }

    public Path logFile() {
        return dir.resolve("output.log");
    }

    /** Where the server keeps artifacts on disk (clients go through the artifact proxy). */
    public Path artifactDirectory() {
        return dir.resolve("artifacts");
    }

    @Override
    public synchronized void close() {
        if (process != null && process.isAlive()) {
            long t0 = System.nanoTime();
            boolean clean = process.stop(Duration.ofSeconds(20));
            TestkitLog.info(name() + " at " + trackingUri() + " stopped in " + TestkitLog.since(t0)
                    + (clean ? "" : " (killed)"));
        }
    }

    private void launch(PythonEnvironment env) {
        long t0 = System.nanoTime();
        Path wrapper = copyWrapper();
        List<String> command = List.of(env.bin("python").toString(), wrapper.toString(), env.bin("mlflow").toString(),
                "--backend-store-uri", "sqlite:///" + dir.resolve("mlflow.db"),
                "--artifacts-destination", artifactDirectory().toString(),
                "--host", FreePorts.LOOPBACK,
                "--port", Integer.toString(port),
                "--workers", "1");
        process = ChildProcess.start(name(), command, dir,
                Map.of("PYTHONUNBUFFERED", "1", "MLFLOW_ENABLE_WORKSPACES", "false"), logFile());
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        process.awaitReady(() -> healthy(http), START_TIMEOUT);
        TestkitLog.info(name() + " started at " + trackingUri() + " in " + TestkitLog.since(t0)
                + " (log: " + logFile() + ")");
    }

    private boolean healthy(HttpClient http) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(trackingUri().resolve("/health"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestkitException(TestkitException.Kind.START_FAILED, "Interrupted while starting MLflow", e);
        }
    }

    private Path copyWrapper() {
        Path target = dir.resolve("mlflow_server.py");
        try (InputStream in = MlflowServer.class.getResourceAsStream("mlflow_server.py")) {
            Files.copy(in, target);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
