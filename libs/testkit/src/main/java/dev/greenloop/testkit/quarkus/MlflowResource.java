package dev.greenloop.testkit.quarkus;

import dev.greenloop.testkit.mlflow.MlflowServer;

import java.util.Map;

/**
 * A real MLflow server for {@code @QuarkusTest}. Sets {@code greenloop.mlflow.tracking-uri};
 * {@code property} (init argument) also gets the tracking URI.
 */
public final class MlflowResource extends SharedServiceResource {

    @Override
    Map<String, String> configuration() {
        return Map.of("greenloop.mlflow.tracking-uri", MlflowServer.shared().trackingUri().toString());
    }

    @Override
    String primaryValue() {
        return MlflowServer.shared().trackingUri().toString();
    }
}
