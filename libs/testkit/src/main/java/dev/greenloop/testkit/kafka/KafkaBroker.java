package dev.greenloop.testkit.kafka;

import dev.greenloop.testkit.ChildService;
import dev.greenloop.testkit.FreePorts;
import dev.greenloop.testkit.SharedServices;
import dev.greenloop.testkit.TestkitDirs;
import dev.greenloop.testkit.TestkitException;
import dev.greenloop.testkit.TestkitLog;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

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

    private final int brokerPort;
    private final int controllerPort;

    private KafkaBroker(Path dir, int brokerPort, int controllerPort) {
        super(dir);
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
    }

    /** The broker shared by every test of this JVM, started on first use. */
    public static KafkaBroker shared() {
        return SharedServices.get(KafkaBroker.class, KafkaBroker::start);
    }

    /** A new broker of its own; the caller closes it. */
    public static KafkaBroker start() {
        KafkaBroker broker = new KafkaBroker(TestkitDirs.newServiceDir("kafka"), FreePorts.next(), FreePorts.next());
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
        return FreePorts.LOOPBACK + ":" + brokerPort;
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

    /** Stops the broker cleanly, keeping its data; {@link #restart()} brings it back. */
    public void stop() {
        close();
    }

    /** Starts the broker again on the same ports with the same data. */
    public synchronized void restart() {
        close();
        launch();
    }

    /** Freezes the broker process: connections stay open but nothing is answered. */
    public synchronized void pause() {
        process().pause();
        TestkitLog.info(name() + " on " + bootstrapServers() + " paused");
    }

    public synchronized void resume() {
        process().resume();
        TestkitLog.info(name() + " on " + bootstrapServers() + " resumed");
    }

    private void launch() {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200))) {
            launchJava(List.of("-Xms128m", "-Xmx768m"), "INFO", "dev.greenloop.testkit.server.KafkaBrokerMain",
                    List.of(directory().toString(), Integer.toString(brokerPort), Integer.toString(controllerPort)),
                    () -> hasBroker(admin), START_TIMEOUT);
        }
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
