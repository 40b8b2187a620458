package dev.greenloop.testkit.quarkus;

import dev.greenloop.testkit.kafka.KafkaBroker;

import java.util.Map;

/**
 * A real Kafka broker for {@code @QuarkusTest}. Sets {@code greenloop.kafka.bootstrap-servers}
 * and {@code kafka.bootstrap.servers}; {@code property} (init argument) also gets the bootstrap
 * servers.
 */
public final class KafkaResource extends SharedServiceResource {

    @Override
    Map<String, String> configuration() {
        String bootstrap = KafkaBroker.shared().bootstrapServers();
        return Map.of("greenloop.kafka.bootstrap-servers", bootstrap, "kafka.bootstrap.servers", bootstrap);
    }

    @Override
    String primaryValue() {
        return KafkaBroker.shared().bootstrapServers();
    }
}
