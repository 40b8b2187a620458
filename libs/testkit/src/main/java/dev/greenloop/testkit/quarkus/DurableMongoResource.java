package dev.greenloop.testkit.quarkus;

import dev.greenloop.testkit.mongo.MongoWireServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * A MongoDB-wire server of the test class's own that keeps its data across {@link
 * MongoWireServer#restart()}, for tests of what happens when MongoDB goes away
 * ({@link #server()} stops and restarts it). Sets {@code greenloop.mongodb.connection-string}
 * with a 3 s server-selection timeout (the driver's default is 30 s), so a call while it is down
 * fails within the test's patience.
 */
public final class DurableMongoResource implements QuarkusTestResourceLifecycleManager {

    private static MongoWireServer server;

    /** The running server of the current test class. */
    public static synchronized MongoWireServer server() {
        if (server == null) {
            throw new IllegalStateException("DurableMongoResource is not started");
        }
        return server;
    }

    @Override
    public synchronized Map<String, String> start() {
        server = MongoWireServer.startDurable();
        return Map.of("greenloop.mongodb.connection-string",
                server.connectionString() + "/?serverSelectionTimeoutMS=3000&connectTimeoutMS=2000");
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
