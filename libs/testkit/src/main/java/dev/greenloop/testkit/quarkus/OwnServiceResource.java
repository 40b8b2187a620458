package dev.greenloop.testkit.quarkus;

import dev.greenloop.testkit.ChildService;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Base of the Quarkus test resources that give a test class a service of its own to break (stop,
 * pause, restart), unlike {@link SharedServiceResource}: started with the class's application,
 * closed with it, reachable meanwhile through {@link #running}.
 */
abstract class OwnServiceResource<T extends ChildService> implements QuarkusTestResourceLifecycleManager {

    private static final Map<Class<?>, ChildService> RUNNING = new ConcurrentHashMap<>();

    /** Starts a new instance of the service. */
    abstract T startService();

    /** The configuration that points the application at {@code service}. */
    abstract Map<String, String> configuration(T service);

    @Override
    public Map<String, String> start() {
        T service = startService();
        RUNNING.put(getClass(), service);
        return configuration(service);
    }

    @Override
    public void stop() {
        ChildService service = RUNNING.remove(getClass());
        if (service != null) {
            service.close();
        }
    }

    /** The running service of resource {@code resource}, for the test to break. */
    static <S extends ChildService> S running(Class<? extends OwnServiceResource<S>> resource, Class<S> type) {
        ChildService service = RUNNING.get(resource);
        if (service == null) {
            throw new IllegalStateException(resource.getSimpleName() + " is not started");
        }
        return type.cast(service);
    }
}
