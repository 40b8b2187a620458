package dev.greenloop.local;

import dev.greenloop.testkit.ChildProcess;
import dev.greenloop.testkit.FreePorts;
import dev.greenloop.testkit.hdfs.HdfsCluster;
import dev.greenloop.testkit.kafka.KafkaBroker;
import dev.greenloop.testkit.mlflow.MlflowServer;
import dev.greenloop.testkit.mlflow.PythonEnvironment;
import dev.greenloop.testkit.mongo.MongoWireServer;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The embedded stack: Kafka, HDFS, a MongoDB-wire server and MLflow (the test kit's, as child
 * processes on free loopback ports), and the six functions as separate JVMs on their own ports
 * ({@code functions/<name>/target/quarkus-app/quarkus-run.jar}), configured to find them.
 */
public final class Stack implements AutoCloseable {

    /** The functions' setting for a shared simulated clock ({@code dev.greenloop.events.clock.ClockFile}). */
    public static final String CLOCK_FILE_PROPERTY = "greenloop.clock.file";

    public static final List<String> FUNCTIONS = List.of("ingest", "preprocess", "train-launcher", "infer", "control", "monitor");

    private final Path root;
    private final Path work;
    private final List<AutoCloseable> services = new ArrayList<>();
    private final Map<String, ChildProcess> functions = new LinkedHashMap<>();
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, Integer> managementPorts = new LinkedHashMap<>();
    private final Map<String, List<String>> commands = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> environments = new LinkedHashMap<>();
    private boolean durableMongo;
    private KafkaBroker kafka;
    private HdfsCluster hdfs;
    private MongoWireServer mongo;
    private MlflowServer mlflow;

    public Stack(Path root, Path work) {
        this.root = root;
        this.work = work;
    }

    public void startServices(Progress progress) {
        startServices(progress, true);
    }

    /**
     * The MongoDB-wire server keeps its data in a file, so that a restart brings it back with
     * everything (for the fault suite); call before {@link #startServices}.
     */
    public Stack withDurableMongo() {
        durableMongo = true;
        return this;
    }

    /** Starts Kafka, HDFS and the MongoDB-wire server, and MLflow if {@code withMlflow}. */
    public void startServices(Progress progress, boolean withMlflow) {
        progress.step("starting Kafka, HDFS, MongoDB-wire" + (withMlflow ? " and MLflow" : ""));
        kafka = KafkaBroker.start();
        services.add(kafka::stop);
        mongo = durableMongo ? MongoWireServer.startDurable() : MongoWireServer.start();
        services.add(mongo::close);
        hdfs = HdfsCluster.start();
        services.add(hdfs::close);
        if (withMlflow) {
            mlflow = MlflowServer.start();
            services.add(mlflow::close);
        }
    }

    /** The project's root directory. */
    public Path root() {
        return root;
    }

    /** The run's working directory (logs, caches). */
    public Path work() {
        return work;
    }

    public KafkaBroker kafka() {
        return kafka;
    }

    public MlflowServer mlflow() {
        return mlflow;
    }

    public MongoWireServer mongo() {
        return mongo;
    }

    public HdfsCluster hdfs() {
        return hdfs;
    }

    public URI url(String function) {
        Integer port = ports.get(function);
        if (port == null) {
            throw new IllegalArgumentException("no function " + function);
        }
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    /** Where a function serves its Prometheus metrics (its management interface). */
    public URI metrics(String function) {
        Integer port = managementPorts.get(function);
        if (port == null) {
            throw new IllegalArgumentException("no function " + function);
        }
        return URI.create("http://127.0.0.1:" + port + "/q/metrics");
    }

    /** Starts the functions with {@code settings} (per function: system properties and environment). */
    public void startFunctions(Map<String, Map<String, String>> properties, Map<String, Map<String, String>> env,
                               Progress progress) {
        startFunctions(FUNCTIONS, properties, env, progress);
    }

    /** Starts the functions {@code names} (of {@link #FUNCTIONS}), as {@link #startFunctions(Map, Map, Progress)}. */
    public void startFunctions(List<String> names, Map<String, Map<String, String>> properties,
                               Map<String, Map<String, String>> env, Progress progress) {
        for (String name : names) {
            ports.put(name, FreePorts.next());
            managementPorts.put(name, FreePorts.next());
        }
        for (String name : names) {
            Path jar = root.resolve("functions/" + name + "/target/quarkus-app/quarkus-run.jar");
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar + " is missing: build first (./mvnw -B install -DskipTests)");
            }
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dquarkus.http.port=" + ports.get(name),
                    // Metrics are on the management interface; a free port, not 9000.
                    "-Dquarkus.management.port=" + managementPorts.get(name)));
            properties.getOrDefault(name, Map.of()).forEach((k, v) -> command.add("-D" + k + "=" + v));
            command.add("-jar");
            command.add(jar.toString());
            commands.put(name, List.copyOf(command));
            environments.put(name, Map.copyOf(env.getOrDefault(name, Map.of())));
            functions.put(name, launch(name));
        }
        for (String name : names) {
            progress.step("waiting for " + name);
            awaitReady(name);
        }
    }

    private ChildProcess launch(String name) {
        return ChildProcess.start(name, commands.get(name), root, environments.get(name), work.resolve("logs/" + name + ".log"));
    }

    private void awaitReady(String name) {
        functions.get(name).awaitReady(ChildProcess.httpOk(url(name).resolve("/q/health/live")), Duration.ofSeconds(120));
    }

    /** Kills a function's process with SIGKILL (mid-work, nothing cleaned up); returns once it has exited. */
    public void kill(String function) {
        process(function).kill();
    }

    /**
     * Starts a function again, as Kubernetes starts a killed pod's container again: the same
     * command, settings and port; returns once it answers its liveness probe.
     */
    public void restart(String function) {
        if (process(function).isAlive()) {
            throw new IllegalStateException(function + " is still running");
        }
        functions.put(function, launch(function));
        awaitReady(function);
    }

    private ChildProcess process(String function) {
        ChildProcess p = functions.get(function);
        if (p == null) {
            throw new IllegalArgumentException("no function " + function);
        }
        return p;
    }

    /** Common settings: where the shared services are. */
    public Map<String, String> commonProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("greenloop.kafka.bootstrap-servers", kafka.bootstrapServers());
        p.put("greenloop.mongodb.connection-string", mongo.connectionString());
        p.put("greenloop.hdfs.uri", hdfs.uri().toString());
        p.put("greenloop.hdfs.webhdfs-uri", hdfs.webHdfsUri().toString());
        if (mlflow != null) {
            p.put("greenloop.mlflow.tracking-uri", mlflow.trackingUri().toString());
        }
        return p;
    }

    /** The trainer's virtualenv (created on first use, as the tests do). */
    public Path trainerPython() {
        Path trainer = root.resolve("trainer");
        return PythonEnvironment.ensure("trainer", trainer.resolve("requirements-cpu.txt"), trainer.resolve("constraints.txt"))
                .bin("python");
    }

    public Path log(String function) {
        return functions.get(function).log();
    }

    @Override
    public void close() {
        for (ChildProcess p : functions.values()) {
            // Quarkus apps ignore their closed stdin: SIGTERM at once (a clean shutdown).
            p.stop(Duration.ZERO);
        }
        for (int i = services.size() - 1; i >= 0; i--) {
            try {
                services.get(i).close();
            } catch (Exception e) {
                System.err.println("stopping a service: " + e);
            }
        }
    }
}
