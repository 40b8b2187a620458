package dev.greenloop.testkit.quarkus;

import dev.greenloop.testkit.kafka.KafkaBroker;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * A Kafka broker of its own whose only address given to the application is a {@code SASL_SSL}
 * listener (SCRAM-SHA-512, a {@link dev.greenloop.testkit.tls.TestCertificate}). Sets
 * {@code greenloop.kafka.bootstrap-servers} and the {@code greenloop.kafka.security.*} settings
 * of user {@value #USER}; the test reads what arrived through {@link #broker()}'s plaintext
 * listener. Stopped with the test class's Quarkus application.
 */
public final class SecuredKafkaResource implements QuarkusTestResourceLifecycleManager {

    public static final String USER = "greenloop-function";
    public static final String PASSWORD = "kafka-test-password";

    private static volatile KafkaBroker broker;

    /** The running broker (its plaintext listener is for the test's own checks). */
    public static KafkaBroker broker() {
        if (broker == null) {
            throw new IllegalStateException("SecuredKafkaResource has not started");
        }
        return broker;
    }

    @Override
    public Map<String, String> start() {
        broker = KafkaBroker.startSecured(Map.of(USER, PASSWORD));
        return Map.of("greenloop.kafka.bootstrap-servers", broker.securedBootstrapServers(),
                "greenloop.kafka.security.protocol", "SASL_SSL",
                "greenloop.kafka.security.sasl-mechanism", KafkaBroker.SASL_MECHANISM,
                "greenloop.kafka.security.username", USER,
                "greenloop.kafka.security.password", PASSWORD,
                "greenloop.kafka.security.ca-file", broker.certificate().certificatePem().toString());
    }

    @Override
    public void stop() {
        if (broker != null) {
            broker.close();
        }
    }
}
