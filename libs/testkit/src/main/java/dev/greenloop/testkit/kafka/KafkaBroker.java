package dev.greenloop.testkit.kafka;

import dev.greenloop.testkit.ChildService;
import dev.greenloop.testkit.External;
import dev.greenloop.testkit.FreePorts;
import dev.greenloop.testkit.SharedServices;
import dev.greenloop.testkit.TestkitDirs;
import dev.greenloop.testkit.TestkitException;
import dev.greenloop.testkit.TestkitLog;
import dev.greenloop.testkit.tls.TestCertificate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import dev.greenloop.testkit.tls.TestCertificate;
import org.apache.kafka.common.errors.TopicExistsException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A real Kafka broker (KRaft, one combined node) in a child JVM on free loopback ports. Logs in
 * {@code <testkit dir>/kafka-*}/output.log. {@link #stop()} and {@link #restart()} keep the
 * data and ports, so tests can take the broker away and bring it back.
 */
public final class KafkaBroker extends ChildService {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    /** The SASL mechanism of the secured listener. */
    public static final String SASL_MECHANISM = "SCRAM-SHA-512";

    private final int brokerPort;
    private final int controllerPort;
    private final Integer securedPort;
    private final TestCertificate certificate;
    private final String external;

    private KafkaBroker(Path dir, int brokerPort, int controllerPort, Integer securedPort, TestCertificate certificate) {
        this(dir, brokerPort, controllerPort, securedPort, certificate, null);
    }

    private KafkaBroker(Path dir, int brokerPort, int controllerPort, Integer securedPort, TestCertificate certificate,
                        String external) {
        super(dir);
        this.external = external;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.securedPort = securedPort;
        this.certificate = certificate;
    }

    /**
     * The broker shared by every test of this JVM, started on first use; the external one named
     * by {@value dev.greenloop.testkit.External#KAFKA} when set.
     */
    public static KafkaBroker shared() {
        return SharedServices.get(KafkaBroker.class, () -> External.address(External.KAFKA)
                .map(KafkaBroker::external).orElseGet(KafkaBroker::start));
    }

    /** An external Kafka at {@code bootstrapServers}, which the kit never stops. */
    public static KafkaBroker external(String bootstrapServers) {
        return new KafkaBroker(TestkitDirs.newServiceDir("kafka-external"), 0, 0, null, null, bootstrapServers);
    }

    @Override
    protected String externalVariable() {
        return external == null ? null : External.KAFKA;
    }

    /** A new broker of its own; the caller closes it. */
    public static KafkaBroker start() {
        KafkaBroker broker = new KafkaBroker(TestkitDirs.newServiceDir("kafka"), FreePorts.next(), FreePorts.next(),
                null, null);
        broker.launch();
        return broker;
    }

    /**
     * A new broker of its own with, besides its plaintext listener (for the kit's admin calls), a
     * {@code SASL_SSL} listener: TLS with a {@link TestCertificate} and SCRAM-SHA-512 for
     * {@code users} (name to password). The caller closes it.
     */
    public static KafkaBroker startSecured(Map<String, String> users) {
        Path dir = TestkitDirs.newServiceDir("kafka-secured");
        TestCertificate certificate = TestCertificate.create(dir.resolve("tls"));
        StringBuilder credentials = new StringBuilder();
        users.forEach((name, password) -> credentials.append(SASL_MECHANISM).append("=[name=").append(name)
                .append(",password=").append(password).append("]\n"));
        String secured = String.join("\n",
                "sasl.enabled.mechanisms=" + SASL_MECHANISM,
                "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config="
                        + "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                "ssl.keystore.type=PKCS12",
                "ssl.keystore.location=" + certificate.keyStore(),
                "ssl.keystore.password=" + certificate.password(),
                "ssl.key.password=" + certificate.password(),
                "");
        try {
            Files.writeString(dir.resolve("secured.properties"), secured, StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("scram-credentials"), credentials, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        KafkaBroker broker = new KafkaBroker(dir, FreePorts.next(), FreePorts.next(), FreePorts.next(), certificate);
        broker.launch();
        return broker;
    }

    @Override
    public String name() {
        return "Kafka broker (KRaft)";
    }

    @Override
    protected String address() {
        return bootstrapServers();
    }

    /** {@code 127.0.0.1:<port>}. */
    public String bootstrapServers() {
        if (external != null) {
            return external;
        }
        return FreePorts.LOOPBACK + ":" + brokerPort;
    }

    /** {@code 127.0.0.1:<port>} of the {@code SASL_SSL} listener of a {@link #startSecured} broker. */
    public String securedBootstrapServers() {
        if (securedPort == null) {
            throw new IllegalStateException("This broker has no secured listener; start it with startSecured");
        }
        return FreePorts.LOOPBACK + ":" + securedPort;
    }

    /** The secured listener's certificate (clients trust its PEM file). */
    public TestCertificate certificate() {
        if (certificate == null) {
            throw new IllegalStateException("This broker has no secured listener; start it with startSecured");
        }
        return certificate;
    }

    /** Creates {@code topic} with one replica; an existing topic is left as it is. */
    public void createTopic(String topic, int partitions) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Cannot create topic " + topic + ": " + e.getCause(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Creating topic " + topic + " timed out", e);
        }
    }

    /** An admin client for this broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000));
    }

    @Override
    protected void relaunch() {
        launch();
    }

    private void launch() {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200))) {
            launchJava(List.of("-Xms128m", "-Xmx768m"), "INFO", "dev.greenloop.testkit.server.KafkaBrokerMain",
                    arguments(),
                    () -> hasBroker(admin), START_TIMEOUT);
        }
    }

    private List<String> arguments() {
        List<String> args = new java.util.ArrayList<>(List.of(directory().toString(), Integer.toString(brokerPort),
                Integer.toString(controllerPort)));
        if (securedPort != null) {
            args.add(Integer.toString(securedPort));
        }
        return args;
    }

    private static boolean hasBroker(Admin admin) {
        try {
            return !admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty();
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestkitException(TestkitException.Kind.START_FAILED, "Interrupted", e);
        }
    }
}
