package dev.greenloop.testkit.quarkus;

import dev.greenloop.testkit.mongo.MongoWireServer;

import java.util.Map;

/**
 * A MongoDB-wire server of the test class's own that keeps its data across {@link
 * MongoWireServer#restart()}, for tests of what happens when MongoDB goes away
 * ({@link #server()} stops and restarts it). Sets {@code greenloop.mongodb.connection-string}
 * with a 3 s server-selection timeout (the driver's default is 30 s), so a call while it is down
 * fails within the test's patience.
 */
public final class DurableMongoResource extends OwnServiceResource<MongoWireServer> {

    /** The running server of the current test class. */
    public static MongoWireServer server() {
        return running(DurableMongoResource.class, MongoWireServer.class);
    }

    @Override
    MongoWireServer startService() {
        return MongoWireServer.startDurable();
    }

    @Override
    Map<String, String> configuration(MongoWireServer server) {
        return Map.of("greenloop.mongodb.connection-string",
                server.connectionString() + "/?serverSelectionTimeoutMS=3000&connectTimeoutMS=2000");
    }
}
