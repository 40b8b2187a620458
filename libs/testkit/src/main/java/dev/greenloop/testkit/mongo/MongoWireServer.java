package dev.greenloop.testkit.mongo;

import dev.greenloop.testkit.ChildProcess;
import dev.greenloop.testkit.FreePorts;
import dev.greenloop.testkit.JavaCommand;
import dev.greenloop.testkit.Service;
import dev.greenloop.testkit.SharedServices;
import dev.greenloop.testkit.TestkitDirs;
import dev.greenloop.testkit.TestkitLog;
import dev.greenloop.testkit.server.ReadyFile;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A MongoDB-wire server ({@code mongo-java-server}) in a child JVM. Speaks the real wire
 * protocol to the real driver, but has no transactions and ignores TTL, non-unique and compound
 * indexes: greenloop's correctness must never depend on those.
 */
public final class MongoWireServer implements Service {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final int port;
    private final Path dataFile;
    private ChildProcess process;

    private MongoWireServer(Path dir, int port, Path dataFile) {
        this.dir = dir;
        this.port = port;
        this.dataFile = dataFile;
    }

    /** The in-memory server shared by every test of this JVM, started on first use. */
    public static MongoWireServer shared() {
        return SharedServices.get(MongoWireServer.class, MongoWireServer::start);
    }

    /** A new in-memory server of its own; the caller closes it. */
    public static MongoWireServer start() {
        MongoWireServer server = new MongoWireServer(TestkitDirs.newServiceDir("mongo"), FreePorts.next(), null);
        server.launch();
        return server;
    }

    /** A new server that keeps its data in {@code dataFile} (H2) across restarts. */
    public static MongoWireServer startPersistent(Path dir, int port, Path dataFile) {
        MongoWireServer server = new MongoWireServer(dir, port, dataFile);
        server.launch();
        return server;
    }

    @Override
    public String name() {
        return "MongoDB-wire server";
    }

    /** {@code mongodb://127.0.0.1:<port>}. */
    public String connectionString() {
        return "mongodb://" + FreePorts.LOOPBACK + ":" + port;
    }

    public Path logFile() {
        return dir.resolve("output.log");
    }

    /** Stops the server; an in-memory server loses its data, a persistent one keeps it. */
    @Override
    public synchronized void close() {
        if (process != null && process.isAlive()) {
            long t0 = System.nanoTime();
            boolean clean = process.stop(Duration.ofSeconds(15));
            TestkitLog.info(name() + " on " + connectionString() + " stopped in " + TestkitLog.since(t0)
                    + (clean ? "" : " (killed)"));
        }
    }

    private void launch() {
        long t0 = System.nanoTime();
        Path logConfig = JavaCommand.writeLogConfig(dir, "WARN");
        List<String> args = new ArrayList<>(List.of(dir.toString(), Integer.toString(port)));
        if (dataFile != null) {
            args.add(dataFile.toString());
        }
        List<String> command = JavaCommand.of(
                List.of("-Xms64m", "-Xmx512m", "-Dlog4j2.configurationFile=" + logConfig),
                "dev.greenloop.testkit.server.MongoWireMain", args);
        process = ChildProcess.start(name(), command, dir, Map.of(), logFile());
        process.awaitReady(() -> ReadyFile.exists(dir), START_TIMEOUT);
        TestkitLog.info(name() + " started on " + connectionString() + " in " + TestkitLog.since(t0)
                + " (log: " + logFile() + ")");
    }
}
