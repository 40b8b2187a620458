package dev.greenloop.events.kafka;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Settings to client properties, and every wrong combination refused with the setting's name. */
class KafkaSecurityTest {

    @Test
    void noSettingsMeanPlaintextWithoutCredentials() {
        KafkaSecurity security = KafkaSecurity.fromSettings(name -> Optional.empty());

        assertThat(security.clientProperties()).containsExactly(Map.entry("security.protocol", "PLAINTEXT"));
        assertThat(KafkaEvents.producerConfig("b:9092")).containsEntry("security.protocol", "PLAINTEXT")
                .doesNotContainKey("sasl.jaas.config");
    }

    @Test
    void saslSslSettingsBecomeJaasAndPemTrust(@TempDir Path dir) throws IOException {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        Map<String, String> settings = Map.of(
                "greenloop.kafka.security.protocol", "sasl_ssl",
                "greenloop.kafka.security.username", "greenloop-control",
                "greenloop.kafka.security.password", "pa\"ss\\word",
                "greenloop.kafka.security.ca-file", ca.toString());

        KafkaSecurity security = KafkaSecurity.fromSettings(name -> Optional.ofNullable(settings.get(name)));
        Map<String, Object> consumer = KafkaEvents.consumerConfig("b:9093", "g", security);

        assertThat(consumer).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"greenloop-control\" password=\"pa\\\"ss\\\\word\";")
                .containsEntry("ssl.truststore.type", "PEM")
                .containsEntry("ssl.truststore.location", ca.toString())
                .containsEntry("group.id", "g");
        assertThat(security.toString()).isEqualTo("SASL_SSL SCRAM-SHA-512 as greenloop-control")
                .doesNotContain("word");
    }

    @Test
    void plainMechanismUsesThePlainLoginModule() {
        KafkaSecurity security = new KafkaSecurity("SASL_SSL", "plain", Optional.of("u"), Optional.of("p"),
                Optional.empty());

        assertThat(security.applyTo(new HashMap<>())).containsEntry("sasl.mechanism", "PLAIN")
                .hasEntrySatisfying("sasl.jaas.config", v -> assertThat(v.toString())
                        .startsWith("org.apache.kafka.common.security.plain.PlainLoginModule required"))
                .doesNotContainKey("ssl.truststore.location");
    }

    @Test
    void wrongSettingsAreRefusedByName(@TempDir Path dir) {
        assertThatThrownBy(() -> new KafkaSecurity("SASL_TLS", "SCRAM-SHA-512", Optional.empty(), Optional.empty(),
                Optional.empty())).hasMessageContaining("greenloop.kafka.security.protocol is 'SASL_TLS'");
        assertThatThrownBy(() -> new KafkaSecurity("SASL_SSL", "SCRAM-SHA-1", Optional.of("u"), Optional.of("p"),
                Optional.empty())).hasMessageContaining("sasl-mechanism is 'SCRAM-SHA-1'");
        assertThatThrownBy(() -> new KafkaSecurity("SASL_SSL", "SCRAM-SHA-512", Optional.of("u"), Optional.of(""),
                Optional.empty())).hasMessageContaining("needs greenloop.kafka.security.username and "
                + "greenloop.kafka.security.password");
        assertThatThrownBy(() -> new KafkaSecurity("PLAINTEXT", "SCRAM-SHA-512", Optional.of("u"), Optional.of("p"),
                Optional.empty())).hasMessageContaining("sends no credentials");
        assertThatThrownBy(() -> new KafkaSecurity("SASL_PLAINTEXT", "SCRAM-SHA-512", Optional.of("u"),
                Optional.of("p"), Optional.of(dir))).hasMessageContaining("does not use TLS");
        assertThatThrownBy(() -> new KafkaSecurity("SSL", "SCRAM-SHA-512", Optional.empty(), Optional.empty(),
                Optional.of(dir.resolve("missing.pem")))).hasMessageContaining("missing.pem does not exist");
    }
}
