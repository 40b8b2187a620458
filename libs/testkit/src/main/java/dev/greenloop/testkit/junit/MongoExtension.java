package dev.greenloop.testkit.junit;

import dev.greenloop.testkit.mongo.MongoWireServer;

/**
 * {@code @ExtendWith(MongoExtension.class)}: a real MongoWireServer for the test class, shared by the whole
 * run; inject it as a {@link MongoWireServer} parameter.
 */
public final class MongoExtension extends SharedServiceExtension<MongoWireServer> {

    public MongoExtension() {
        super(MongoWireServer.class);
    }

    @Override
    MongoWireServer shared() {
        return MongoWireServer.shared();
    }
}
