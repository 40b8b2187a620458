package dev.greenloop.testkit.server;

import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * A real Kafka broker in KRaft mode, one combined broker+controller node: formats the storage
 * (unless a previous run of the same directory already did, so a restart keeps the data) and
 * runs {@code kafka.Kafka} as the distribution's {@code kafka-server-start.sh} would.
 *
 * <p>Arguments: {@code <dir> <brokerPort> <controllerPort>}.
 */
public final class KafkaBrokerMain {

    private KafkaBrokerMain() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Paths.get(args[0]);
        int brokerPort = Integer.parseInt(args[1]);
        int controllerPort = Integer.parseInt(args[2]);
        ParentWatchdog.start("kafka");

        Path properties = dir.resolve("server.properties");
        if (!Files.exists(properties)) {
            Files.writeString(properties, serverProperties(dir.resolve("data"), brokerPort, controllerPort),
                    StandardCharsets.UTF_8);
        }
        // One cluster id per directory: formatting again (a restart) must find the same one.
        Path idFile = dir.resolve("cluster.id");
        if (!Files.exists(idFile)) {
            Files.writeString(idFile, Uuid.randomUuid().toString(), StandardCharsets.UTF_8);
        }
        String clusterId = Files.readString(idFile, StandardCharsets.UTF_8).trim();
        int rc = StorageTool.execute(new String[] {"format", "--ignore-formatted", "-t", clusterId,
                "-c", properties.toString()}, System.out);
        if (rc != 0) {
            System.out.println("kafka: formatting the storage failed with code " + rc);
            System.exit(rc);
        }
        kafka.Kafka.main(new String[] {properties.toString()});
    }

    static String serverProperties(Path data, int brokerPort, int controllerPort) {
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "listeners=PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "log.dirs=" + data,
                "num.partitions=3",
                "auto.create.topics.enable=true",
                // One node: every internal topic has one replica.
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=5",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=5",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "log.segment.bytes=67108864",
                "")
                .replace("\n", System.lineSeparator());
    }
}
