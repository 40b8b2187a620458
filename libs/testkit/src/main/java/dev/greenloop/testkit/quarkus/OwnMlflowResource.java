package dev.greenloop.testkit.quarkus;

import dev.greenloop.testkit.mlflow.MlflowServer;

import java.util.Map;

/**
 * An MLflow server of the test class's own, for tests of what happens when MLflow goes away
 * ({@link #server()} stops and restarts it; its database and artifacts stay). Sets
 * {@code greenloop.mlflow.tracking-uri}.
 */
public final class OwnMlflowResource extends OwnServiceResource<MlflowServer> {

    /** The running server of the current test class. */
    public static MlflowServer server() {
        return running(OwnMlflowResource.class, MlflowServer.class);
    }

    @Override
    MlflowServer startService() {
        return MlflowServer.start();
    }

    @Override
    Map<String, String> configuration(MlflowServer server) {
        return Map.of("greenloop.mlflow.tracking-uri", server.trackingUri().toString());
    }
}
