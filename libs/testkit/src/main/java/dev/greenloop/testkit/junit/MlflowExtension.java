package dev.greenloop.testkit.junit;

import dev.greenloop.testkit.mlflow.MlflowServer;

/**
 * {@code @ExtendWith(MlflowExtension.class)}: a real MLflow server for the test class, shared by
 * the whole run; inject it as a {@link MlflowServer} parameter.
 */
public final class MlflowExtension extends SharedServiceExtension<MlflowServer> {

    public MlflowExtension() {
        super(MlflowServer.class);
    }

    @Override
    MlflowServer shared() {
        return MlflowServer.shared();
    }
}
