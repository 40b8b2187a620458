package dev.greenloop.testkit.quarkus;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.HashMap;
import java.util.Map;

/**
 * Base of the Quarkus test resources: attaches a shared service of the kit to a
 * {@code @QuarkusTest} and hands its address to the application as configuration.
 *
 * <p>Every resource sets the kit's standard keys (listed on each subclass). To also set a key of
 * the module's own {@code @ConfigMapping}, pass it as an init argument named {@code property}:
 * <pre>{@code
 * @WithTestResource(value = KafkaResource.class,
 *         initArgs = @ResourceArg(name = "property", value = "greenloop.ingest.kafka.bootstrap-servers"))
 * }</pre>
 *
 * <p>{@link #stop()} leaves the service running: the next test class (or the next Quarkus
 * profile) reuses it, and the kit stops it when the JVM ends.
 */
abstract class SharedServiceResource implements QuarkusTestResourceLifecycleManager {

    private String extraProperty;

    @Override
    public void init(Map<String, String> initArgs) {
        extraProperty = initArgs.get("property");
    }

    /** Starts (or reuses) the service and returns the configuration pointing at it. */
    abstract Map<String, String> configuration();

    /** The value {@code property} is set to. */
    abstract String primaryValue();

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(configuration());
        if (extraProperty != null) {
            config.put(extraProperty, primaryValue());
        }
        return config;
    }

    @Override
    public void stop() {
        // Shared: stopped once, when the test JVM ends.
    }
}
