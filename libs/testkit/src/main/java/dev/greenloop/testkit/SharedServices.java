package dev.greenloop.testkit;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One instance of each service per JVM, started on first use and shared by every test class of
 * the run (starting HDFS for each class would cost ten seconds a class). Stopped in reverse
 * order by {@link #stopAll()}, which the JUnit extensions call when the test plan ends and a
 * shutdown hook calls otherwise.
 */
public final class SharedServices {

    private static final Map<Class<?>, Service> RUNNING = new LinkedHashMap<>();
    private static boolean hookInstalled;

    private SharedServices() {
    }

    /** The running instance of {@code type}, starting it with {@code starter} if needed. */
    public static synchronized <T extends Service> T get(Class<T> type, Supplier<T> starter) {
        Service running = RUNNING.get(type);
        if (running != null) {
            return type.cast(running);
        }
        if (!hookInstalled) {
            Runtime.getRuntime().addShutdownHook(new Thread(SharedServices::stopAll, "greenloop-testkit-stop"));
            hookInstalled = true;
        }
        T started = starter.get();
        RUNNING.put(type, started);
        return started;
    }

    /** Stops every shared service, last started first. */
    public static synchronized void stopAll() {
        Deque<Service> order = new ArrayDeque<>();
        RUNNING.values().forEach(order::push);
        RUNNING.clear();
        for (Service service : order) {
            try {
                service.close();
            } catch (RuntimeException e) {
                TestkitLog.info("Stopping " + service.name() + " failed: " + e);
            }
        }
    }
}
