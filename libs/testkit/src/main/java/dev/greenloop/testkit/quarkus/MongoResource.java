package dev.greenloop.testkit.quarkus;

import dev.greenloop.testkit.mongo.MongoWireServer;

import java.util.Map;

/**
 * A MongoDB-wire server for {@code @QuarkusTest}. Sets {@code greenloop.mongodb.connection-string};
 * {@code property} (init argument) also gets the connection string.
 */
public final class MongoResource extends SharedServiceResource {

    @Override
    Map<String, String> configuration() {
        return Map.of("greenloop.mongodb.connection-string", MongoWireServer.shared().connectionString());
    }

    @Override
    String primaryValue() {
        return MongoWireServer.shared().connectionString();
    }
}
