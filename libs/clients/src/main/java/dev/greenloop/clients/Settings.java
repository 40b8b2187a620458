package dev.greenloop.clients;

import org.eclipse.microprofile.config.ConfigProvider;

import java.util.Optional;
import java.util.function.Function;

/**
 * A function's settings by name, as the credential readers of this package and
 * {@code KafkaSecurity} take them: the application's MicroProfile configuration, so that
 * {@code greenloop.kafka.security.password} is also found as {@code GREENLOOP_KAFKA_SECURITY_PASSWORD}.
 */
public final class Settings {

    private Settings() {
    }

    /** Looks names up in the running application's configuration; empty values count as unset. */
    public static Function<String, Optional<String>> fromConfig() {
        return name -> ConfigProvider.getConfig().getOptionalValue(name, String.class);
    }
}
