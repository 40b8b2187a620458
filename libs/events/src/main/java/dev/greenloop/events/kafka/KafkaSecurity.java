package dev.greenloop.events.kafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * How a client authenticates to Kafka and trusts it: the security protocol, SASL (PLAIN or
 * SCRAM) user and password, and the certificate authority of the brokers' TLS certificates in
 * PEM. {@link #none()} (plaintext, no SASL) is the embedded stack's and the test kit's default.
 * Settings are checked when built, so a typo stops a function at start with a message that says
 * which setting is wrong, not at the first send.
 *
 * @param protocol      {@code PLAINTEXT}, {@code SSL}, {@code SASL_PLAINTEXT} or {@code SASL_SSL}
 * @param saslMechanism {@code SCRAM-SHA-512}, {@code SCRAM-SHA-256} or {@code PLAIN}; used with SASL only
 * @param username      SASL user; required with SASL
 * @param password      SASL password; required with SASL
 * @param caFile        PEM file of the certificate authorities to trust; the JVM's own when empty
 */
public record KafkaSecurity(String protocol, String saslMechanism, Optional<String> username,
                            Optional<String> password, Optional<Path> caFile) {

    private static final Set<String> PROTOCOLS = Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
    private static final Map<String, String> LOGIN_MODULES = Map.of(
            "PLAIN", "org.apache.kafka.common.security.plain.PlainLoginModule",
            "SCRAM-SHA-256", "org.apache.kafka.common.security.scram.ScramLoginModule",
            "SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule");

    public KafkaSecurity {
        protocol = protocol.strip().toUpperCase(Locale.ROOT);
        saslMechanism = saslMechanism.strip().toUpperCase(Locale.ROOT);
        username = username.filter(u -> !u.isBlank());
        password = password.filter(p -> !p.isEmpty());
        if (!PROTOCOLS.contains(protocol)) {
            throw new IllegalArgumentException("greenloop.kafka.security.protocol is '" + protocol
                    + "'; expected one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL");
        }
        if (sasl(protocol)) {
            if (!LOGIN_MODULES.containsKey(saslMechanism)) {
                throw new IllegalArgumentException("greenloop.kafka.security.sasl-mechanism is '" + saslMechanism
                        + "'; expected SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN");
            }
            if (username.isEmpty() || password.isEmpty()) {
                throw new IllegalArgumentException("Kafka security protocol " + protocol
                        + " needs greenloop.kafka.security.username and greenloop.kafka.security.password");
            }
        } else if (username.isPresent() || password.isPresent()) {
            throw new IllegalArgumentException("greenloop.kafka.security.username/password are set but protocol "
                    + protocol + " sends no credentials; use SASL_SSL (or SASL_PLAINTEXT)");
        }
        if (caFile.isPresent()) {
            if (!tls(protocol)) {
                throw new IllegalArgumentException("greenloop.kafka.security.ca-file is set but protocol " + protocol
                        + " does not use TLS; use SSL or SASL_SSL");
            }
            if (!Files.isReadable(caFile.get())) {
                throw new IllegalArgumentException("greenloop.kafka.security.ca-file " + caFile.get()
                        + " does not exist or cannot be read");
            }
        }
    }

    /** Prefix of the settings {@link #fromSettings} reads. */
    public static final String PREFIX = "greenloop.kafka.security.";

    /**
     * The settings {@code greenloop.kafka.security.protocol} (default {@code PLAINTEXT}),
     * {@code .sasl-mechanism} (default {@code SCRAM-SHA-512}), {@code .username},
     * {@code .password} and {@code .ca-file}, looked up by name in {@code settings} (a function's
     * configuration: on a cluster the {@code GREENLOOP_KAFKA_SECURITY_*} variables from the Secret).
     */
    public static KafkaSecurity fromSettings(Function<String, Optional<String>> settings) {
        return new KafkaSecurity(settings.apply(PREFIX + "protocol").orElse("PLAINTEXT"),
                settings.apply(PREFIX + "sasl-mechanism").orElse("SCRAM-SHA-512"),
                settings.apply(PREFIX + "username"), settings.apply(PREFIX + "password"),
                settings.apply(PREFIX + "ca-file").filter(f -> !f.isBlank()).map(Path::of));
    }

    /** Plaintext, no authentication: the embedded stack and the test kit. */
    public static KafkaSecurity none() {
        return new KafkaSecurity("PLAINTEXT", "SCRAM-SHA-512", Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** SASL over TLS with {@code mechanism}, trusting {@code caFile} (or the JVM's authorities). */
    public static KafkaSecurity saslSsl(String mechanism, String username, String password, Path caFile) {
        return new KafkaSecurity("SASL_SSL", mechanism, Optional.of(username), Optional.of(password),
                Optional.ofNullable(caFile));
    }

    /** Client properties ({@code security.protocol}, {@code sasl.*}, {@code ssl.truststore.*}). */
    public Map<String, Object> clientProperties() {
        Map<String, Object> properties = new HashMap<>();
        properties.put("security.protocol", protocol);
        if (sasl(protocol)) {
            properties.put("sasl.mechanism", saslMechanism);
            properties.put("sasl.jaas.config", LOGIN_MODULES.get(saslMechanism) + " required username=\""
                    + jaasQuoted(username.orElseThrow()) + "\" password=\"" + jaasQuoted(password.orElseThrow()) + "\";");
        }
        caFile.ifPresent(file -> {
            properties.put("ssl.truststore.type", "PEM");
            properties.put("ssl.truststore.location", file.toString());
        });
        return properties;
    }

    /** Adds {@link #clientProperties()} to {@code config} and returns it. */
    public <M extends Map<String, Object>> M applyTo(M config) {
        config.putAll(clientProperties());
        return config;
    }

    /** For logs: protocol, mechanism and user, never the password. */
    @Override
    public String toString() {
        return sasl(protocol) ? protocol + " " + saslMechanism + " as " + username.orElse("?") : protocol;
    }

    private static boolean sasl(String protocol) {
        return protocol.startsWith("SASL_");
    }

    private static boolean tls(String protocol) {
        return protocol.endsWith("SSL");
    }

    private static String jaasQuoted(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
