package dev.greenloop.testkit.mongo;

import dev.greenloop.testkit.ChildService;
import dev.greenloop.testkit.External;
import dev.greenloop.testkit.FreePorts;
import dev.greenloop.testkit.SharedServices;
import dev.greenloop.testkit.TestkitDirs;
import dev.greenloop.testkit.server.ReadyFile;

import dev.greenloop.testkit.tls.TestCertificate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A MongoDB-wire server ({@code mongo-java-server}) in a child JVM. Speaks the real wire
 * protocol to the real driver, but has no transactions and ignores TTL, non-unique and compound
 * indexes: greenloop's correctness must never depend on those.
 */
public final class MongoWireServer extends ChildService {

    private final int port;
    private final List<String> args;
    private final String external;

    private MongoWireServer(Path dir, int port, List<String> args, String external) {
        super(dir);
        this.port = port;
        this.args = List.copyOf(args);
        this.external = external;
    }

    /**
     * The in-memory server shared by every test of this JVM, started on first use; the external
     * MongoDB named by {@value dev.greenloop.testkit.External#MONGODB} when set.
     */
    public static MongoWireServer shared() {
        return SharedServices.get(MongoWireServer.class, () -> External.address(External.MONGODB)
                .map(MongoWireServer::external).orElseGet(MongoWireServer::start));
    }

    /** An external MongoDB at {@code connectionString}, which the kit never stops. */
    public static MongoWireServer external(String connectionString) {
        return new MongoWireServer(TestkitDirs.newServiceDir("mongo-external"), 0, List.of(), connectionString);
    }

    @Override
    protected String externalVariable() {
        return external == null ? null : External.MONGODB;
    }

    /** A new in-memory server of its own; the caller closes it. */
    public static MongoWireServer start() {
        return start(TestkitDirs.newServiceDir("mongo"), FreePorts.next(), null);
    }

    /**
     * A new in-memory server of its own that speaks TLS only, with a {@link TestCertificate}
     * ({@link #certificate()}); its {@link #connectionString()} has {@code tls=true}. The caller closes it.
     */
    public static MongoWireServer startTls() {
        Path dir = TestkitDirs.newServiceDir("mongo-tls");
        TestCertificate.create(dir.resolve("tls"));
        return start(dir, FreePorts.next(), null);
    }

    /**
     * A new server in {@code dir} on {@code port}; with a {@code dataFile} (H2) its data survives
     * a restart, without one it lives in memory.
     */
    public static MongoWireServer start(Path dir, int port, Path dataFile) {
        List<String> args = new ArrayList<>(List.of(dir.toString(), Integer.toString(port)));
        if (dataFile != null) {
            args.add(dataFile.toString());
        }
        MongoWireServer server = new MongoWireServer(dir, port, args, null);
        server.launch();
        return server;
    }

    /**
     * A new server of its own whose data is kept in an H2 file, so that {@link #restart()} brings
     * it back with everything it had: for tests of what happens when MongoDB goes away.
     */
    public static MongoWireServer startDurable() {
        Path dir = TestkitDirs.newServiceDir("mongo-durable");
        return start(dir, FreePorts.next(), dir.resolve("data.mv"));
    }

    private void launch() {
        ReadyFile.delete(directory());
        // It holds everything in its heap: a load driver that stores more raises greenloop.testkit.mongo.heap.
        launchJava(List.of("-Xms64m", "-Xmx" + System.getProperty("greenloop.testkit.mongo.heap", "512m")), "WARN",
                "dev.greenloop.testkit.server.MongoWireMain", args, () -> ReadyFile.exists(directory()), Duration.ofSeconds(60));
    }

    /** Starts the server again on the same port (with the same data when it is {@link #startDurable() durable}). */
    @Override
    protected void relaunch() {
        launch();
    }

    @Override
    public String name() {
        return "MongoDB-wire server";
    }

    @Override
    protected String address() {
        return connectionString();
    }

    /** {@code mongodb://127.0.0.1:<port>}, with {@code /?tls=true} for a {@link #startTls()} server. */
    public String connectionString() {
        if (external != null) {
            return external;
        }
        return "mongodb://" + FreePorts.LOOPBACK + ":" + port + (tls() ? "/?tls=true" : "");
    }

    /** The certificate of a {@link #startTls()} server (clients trust its PEM file). */
    public TestCertificate certificate() {
        if (!tls()) {
            throw new IllegalStateException("This server has no TLS; start it with startTls");
        }
        return TestCertificate.create(directory().resolve("tls"));
    }

    private boolean tls() {
        return Files.exists(directory().resolve("tls").resolve("server.p12"));
    }
}
