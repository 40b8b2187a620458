package dev.greenloop.testkit.server;

import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Kafka broker in KRaft mode, one combined broker+controller node: formats the storage
 * (unless a previous run of the same directory already did, so a restart keeps the data) and
 * runs {@code kafka.Kafka} as the distribution's {@code kafka-server-start.sh} would.
 *
 * <p>Arguments: {@code <dir> <brokerPort> <controllerPort> [<securedPort>]}. With a secured port
 * the broker also has a {@code SASL_SSL} listener there: its TLS and SASL settings are the lines
 * of {@code <dir>/secured.properties}, and every line of {@code <dir>/scram-credentials}
 * ({@code SCRAM-SHA-512=[name=...,password=...]}) is a user created when the storage is formatted.
 */
public final class KafkaBrokerMain {

    private KafkaBrokerMain() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Paths.get(args[0]);
        int brokerPort = Integer.parseInt(args[1]);
        int controllerPort = Integer.parseInt(args[2]);
        Integer securedPort = args.length > 3 ? Integer.valueOf(args[3]) : null;
        ParentWatchdog.start("kafka");

        Path properties = dir.resolve("server.properties");
        if (!Files.exists(properties)) {
            String server = serverProperties(dir.resolve("data"), brokerPort, controllerPort, securedPort);
            if (securedPort != null) {
                server += Files.readString(dir.resolve("secured.properties"), StandardCharsets.UTF_8);
            }
            Files.writeString(properties, server, StandardCharsets.UTF_8);
        }
        // One cluster id per directory: formatting again (a restart) must find the same one.
        Path idFile = dir.resolve("cluster.id");
        if (!Files.exists(idFile)) {
            Files.writeString(idFile, Uuid.randomUuid().toString(), StandardCharsets.UTF_8);
        }
        String clusterId = Files.readString(idFile, StandardCharsets.UTF_8).trim();
        List<String> format = new ArrayList<>(List.of("format", "--ignore-formatted", "-t", clusterId,
                "-c", properties.toString()));
        Path credentials = dir.resolve("scram-credentials");
        if (securedPort != null && Files.exists(credentials)) {
            for (String line : Files.readAllLines(credentials, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    format.add("--add-scram");
                    format.add(line.strip());
                }
            }
        }
        int rc = StorageTool.execute(format.toArray(String[]::new), System.out);
        if (rc != 0) {
            System.out.println("kafka: formatting the storage failed with code " + rc);
            System.exit(rc);
        }
        kafka.Kafka.main(new String[] {properties.toString()});
    }

    static String serverProperties(Path data, int brokerPort, int controllerPort, Integer securedPort) {
        String secured = securedPort == null ? "" : ",SASL_SSL://127.0.0.1:" + securedPort;
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "listeners=PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort + secured,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort + secured,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL",
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
