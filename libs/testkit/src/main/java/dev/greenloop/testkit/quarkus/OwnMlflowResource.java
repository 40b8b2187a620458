package dev.greenloop.testkit.quarkus;

import dev.greenloop.testkit.mlflow.MlflowServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * An MLflow server of the test class's own, for tests of what happens when MLflow goes away
 * ({@link #server()} stops and restarts it; its database and artifacts stay). Sets
 * {@code greenloop.mlflow.tracking-uri}.
 */
public final class OwnMlflowResource implements QuarkusTestResourceLifecycleManager {

    private static MlflowServer server;

    /** The running server of the current test class. */
    public static synchronized MlflowServer server() {
        if (server == null) {
            throw new IllegalStateException("OwnMlflowResource is not started");
        }
        return server;
    }

    @Override
    public synchronized Map<String, String> start() {
        server = MlflowServer.start();
        return Map.of("greenloop.mlflow.tracking-uri", server.trackingUri().toString());
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
