package dev.greenloop.testkit.mlflow;

import dev.greenloop.testkit.ChildService;
import dev.greenloop.testkit.External;
import dev.greenloop.testkit.FreePorts;
import dev.greenloop.testkit.SharedServices;
import dev.greenloop.testkit.TestkitDirs;
import dev.greenloop.testkit.TestkitException;

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
public final class MlflowServer extends ChildService {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    /** The administrator of a {@link #startWithBasicAuth()} server. */
    public static final String ADMIN_USER = "greenloop-admin";
    public static final String ADMIN_PASSWORD = "mlflow-test-password-0";

    private final int port;
    private final boolean basicAuth;
    private final URI external;

    private MlflowServer(Path dir, int port, boolean basicAuth) {
        this(dir, port, basicAuth, null);
    }

    private MlflowServer(Path dir, int port, boolean basicAuth, URI external) {
        super(dir);
        this.port = port;
        this.basicAuth = basicAuth;
        this.external = external;
    }

    /**
     * The server shared by every test of this JVM, started on first use; the external MLflow
     * named by {@value dev.greenloop.testkit.External#MLFLOW} when set.
     */
    public static MlflowServer shared() {
        return SharedServices.get(MlflowServer.class, () -> External.address(External.MLFLOW)
                .map(uri -> external(URI.create(uri))).orElseGet(MlflowServer::start));
    }

    /** An external MLflow at {@code trackingUri}, which the kit never stops. */
    public static MlflowServer external(URI trackingUri) {
        return new MlflowServer(TestkitDirs.newServiceDir("mlflow-external"), 0, false, trackingUri);
    }

    @Override
    protected String externalVariable() {
        return external == null ? null : External.MLFLOW;
    }

    /** A new server of its own (own database and artifact store); the caller closes it. */
    public static MlflowServer start() {
        PythonEnvironment env = environment();
        MlflowServer server = new MlflowServer(TestkitDirs.newServiceDir("mlflow"), FreePorts.next(), false);
        server.launch(env);
        return server;
    }

    /**
     * A new server of its own with MLflow's {@code basic-auth} app: every call needs the user
     * {@value #ADMIN_USER} (password {@value #ADMIN_PASSWORD}) or another user made through its
     * API; anything else is 401. The caller closes it.
     */
    public static MlflowServer startWithBasicAuth() {
        PythonEnvironment env = environment();
        MlflowServer server = new MlflowServer(TestkitDirs.newServiceDir("mlflow-auth"), FreePorts.next(), true);
        server.launch(env);
        return server;
    }

    /** Starts the server again on the same port, with the same database and artifacts. */
    @Override
    protected void relaunch() {
        launch(environment());
    }

    /** The kit's MLflow virtualenv, created on first use. */
    public static PythonEnvironment environment() {
        return PythonEnvironment.ensure("mlflow", "requirements.txt", "constraints.txt");
    }

    @Override
    public String name() {
        return "MLflow server";
    }

    @Override
    protected String address() {
        return trackingUri().toString();
    }

    /** {@code http://127.0.0.1:<port>}: the tracking URI for clients. */
    public URI trackingUri() {
        if (external != null) {
            return external;
        }
        return URI.create("http://" + FreePorts.LOOPBACK + ":" + port);
    }

    /** Where the server keeps artifacts on disk (clients go through the artifact proxy). */
    public Path artifactDirectory() {
        return directory().resolve("artifacts");
    }

    private void launch(PythonEnvironment env) {
        Path wrapper = copyWrapper();
        List<String> command = new java.util.ArrayList<>(List.of(env.bin("python").toString(), wrapper.toString(),
                env.bin("mlflow").toString(),
                "--backend-store-uri", "sqlite:///" + directory().resolve("mlflow.db"),
                "--artifacts-destination", artifactDirectory().toString(),
                "--host", FreePorts.LOOPBACK,
                "--port", Integer.toString(port),
                "--workers", "1"));
        // MLflow 3's telemetry thread changes os.environ while other threads iterate it; nothing to report here.
        // Nor does greenloop use MLflow 3's job execution: no huey job runner and consumers on 2 cores.
        Map<String, String> environment = new java.util.HashMap<>(Map.of("PYTHONUNBUFFERED", "1",
                "MLFLOW_DISABLE_TELEMETRY", "true", "DO_NOT_TRACK", "true",
                "MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false"));
        if (basicAuth) {
            command.addAll(List.of("--app-name", "basic-auth"));
            environment.put("MLFLOW_AUTH_CONFIG_PATH", writeAuthConfig().toString());
            environment.put("MLFLOW_FLASK_SERVER_SECRET_KEY", "greenloop-test-secret-key");
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        launch(command, environment, () -> healthy(http), START_TIMEOUT);
    }

    private boolean healthy(HttpClient http) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(trackingUri().resolve("/health"))
                    .timeout(Duration.ofSeconds(2)).GET();
            if (basicAuth) {
                request.header("Authorization", adminAuthorization());
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestkitException(TestkitException.Kind.START_FAILED, "Interrupted while starting MLflow", e);
        }
    }

    /** {@code Basic ...} of the administrator of a {@link #startWithBasicAuth()} server. */
    public static String adminAuthorization() {
        return "Basic " + java.util.Base64.getEncoder().encodeToString(
                (ADMIN_USER + ":" + ADMIN_PASSWORD).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private Path writeAuthConfig() {
        Path config = directory().resolve("basic_auth.ini");
        try {
            Files.writeString(config, String.join(System.lineSeparator(),
                    "[mlflow]",
                    "default_permission = READ",
                    "database_uri = sqlite:///" + directory().resolve("basic_auth.db"),
                    "admin_username = " + ADMIN_USER,
                    "admin_password = " + ADMIN_PASSWORD,
                    "authorization_function = mlflow.server.auth:authenticate_request_basic_auth",
                    ""));
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path copyWrapper() {
        Path target = directory().resolve("mlflow_server.py");
        try (InputStream in = MlflowServer.class.getResourceAsStream("mlflow_server.py")) {
            Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
