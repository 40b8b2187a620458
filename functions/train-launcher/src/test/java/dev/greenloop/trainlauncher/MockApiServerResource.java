package dev.greenloop.trainlauncher;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.MockWebServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * fabric8's mock Kubernetes API server in CRUD mode, on a free loopback port, behind the
 * application's own {@code KubernetesClient} (plain HTTP, namespace {@code greenloop}), through
 * fabric8's system properties.
 */
public class MockApiServerResource implements QuarkusTestResourceLifecycleManager {

    private static final Map<String, String> PROPERTIES = Map.of(
            io.fabric8.kubernetes.client.Config.KUBERNETES_MASTER_SYSTEM_PROPERTY, "URL",
            io.fabric8.kubernetes.client.Config.KUBERNETES_NAMESPACE_SYSTEM_PROPERTY, "greenloop",
            io.fabric8.kubernetes.client.Config.KUBERNETES_AUTH_TRYKUBECONFIG_SYSTEM_PROPERTY, "false",
            io.fabric8.kubernetes.client.Config.KUBERNETES_AUTH_TRYSERVICEACCOUNT_SYSTEM_PROPERTY, "false");

    private KubernetesMockServer server;

    @Override
    public Map<String, String> start() {
        server = new KubernetesMockServer(new io.fabric8.mockwebserver.Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(List.of()), false);
        server.init();
        // Quarkus fixes its kubernetes-client settings at build time; fabric8 reads these at run time.
        PROPERTIES.forEach((k, v) -> System.setProperty(k, v.equals("URL") ? server.url("/") : v));
        return Map.of();
    }

    @Override
    public void stop() {
        PROPERTIES.keySet().forEach(System::clearProperty);
        if (server != null) {
            server.destroy();
        }
    }
}
