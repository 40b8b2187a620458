package dev.greenloop.function.base;

import dev.greenloop.events.clock.ClockFile;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * The one clock the functions take "now" from: inject {@link Clock}, never read the system clock
 * directly, so a test or a simulation can replace it. The system's clock, unless
 * {@code greenloop.clock.file} names a {@link ClockFile}: then the simulated time written there
 * while a simulation runs (the local stack's simulated live phase), the system's otherwise.
 */
@ApplicationScoped
public class Clocks {

    private static final Logger LOG = Logger.getLogger(Clocks.class);
    public static final String FILE_PROPERTY = "greenloop.clock.file";

    @Produces
    @ApplicationScoped
    Clock clock() {
        Optional<String> file = ConfigProvider.getConfig().getOptionalValue(FILE_PROPERTY, String.class);
        if (file.isEmpty() || file.get().isBlank()) {
            return Clock.systemUTC();
        }
        LOG.warnf("Time is read from the clock file %s (%s): simulated time while a simulation runs, the system's otherwise."
                + " Never set this in production.", file.get(), FILE_PROPERTY);
        return ClockFile.open(Path.of(file.get())).clock(Clock.systemUTC());
    }
}
