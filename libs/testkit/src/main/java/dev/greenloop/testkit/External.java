package dev.greenloop.testkit;

import java.util.Optional;

/**
 * External services in place of the kit's own: when an environment variable (or the system
 * property of the same meaning) names one, the shared instance of that service is the external
 * one, and the suite runs against a real MongoDB, Kafka cluster, HDFS or MLflow. Such a service
 * is never stopped, paused or restarted by the kit: the tests that take a service away need the
 * kit's own, and say so.
 */
public final class External {

    /** Kafka bootstrap servers. */
    public static final String KAFKA = "GREENLOOP_TESTKIT_KAFKA";
    /** A MongoDB connection string (the tests use their own databases and may drop them). */
    public static final String MONGODB = "GREENLOOP_TESTKIT_MONGODB";
    /** An {@code hdfs://} URI (the tests write under their own directories). */
    public static final String HDFS = "GREENLOOP_TESTKIT_HDFS";
    /** The NameNode's HTTP address for WebHDFS, with {@link #HDFS}. */
    public static final String WEBHDFS = "GREENLOOP_TESTKIT_WEBHDFS";
    /** An MLflow tracking URI. */
    public static final String MLFLOW = "GREENLOOP_TESTKIT_MLFLOW";

    private External() {
    }

    /**
     * The value of {@code variable}, or of the system property {@code greenloop.testkit.<name>}
     * ({@code GREENLOOP_TESTKIT_KAFKA}: {@code greenloop.testkit.kafka}); empty when neither is set.
     */
    public static Optional<String> address(String variable) {
        String property = "greenloop.testkit." + variable.substring("GREENLOOP_TESTKIT_".length()).toLowerCase(java.util.Locale.ROOT);
        String value = System.getProperty(property, System.getenv(variable));
        return Optional.ofNullable(value).map(String::trim).filter(v -> !v.isEmpty());
    }

    /** The refusal of a fault an external service cannot be put through. */
    public static UnsupportedOperationException refused(String service, String variable, String operation) {
        return new UnsupportedOperationException(service + " is external (" + variable + "): the kit does not " + operation
                + " it; this test needs the kit's own (unset " + variable + ")");
    }
}
