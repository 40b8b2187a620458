package dev.greenloop.testkit.quarkus;

/**
 * Where a function under {@code @QuarkusTest} serves its Prometheus metrics: every function
 * serves them on its management interface ({@code /q/metrics} on port 9000 in a cluster, which
 * the Knative Service does not route to), and Quarkus's tests put that interface on port 9001.
 */
public final class Metrics {

    /** {@code quarkus.management.test-port}'s default. */
    public static final String URL = "http://localhost:9001/q/metrics";

    private Metrics() {
    }
}
