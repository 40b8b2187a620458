package dev.greenloop.monitor.deadletters;

import dev.greenloop.clients.Settings;
import dev.greenloop.deadletters.DeadLetterTopic;
import dev.greenloop.events.kafka.KafkaSecurity;
import dev.greenloop.monitor.MonitorConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.ConsumerConfig;

import java.util.HashMap;
import java.util.Map;

/** The dead-letter topic as monitor reads it: its bootstrap servers, Kafka security and topic. */
public class DeadLetterTopicProducer {

    @Produces
    @Singleton
    DeadLetterTopic deadLetterTopic(MonitorConfig config) {
        Map<String, Object> kafka = KafkaSecurity.fromSettings(Settings.fromConfig()).applyTo(new HashMap<>());
        kafka.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.deadLetters().bootstrapServers());
        kafka.put(ConsumerConfig.CLIENT_ID_CONFIG, "greenloop-monitor-dead-letters");
        kafka.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        return new DeadLetterTopic(kafka, config.deadLetters().topic());
    }
}
