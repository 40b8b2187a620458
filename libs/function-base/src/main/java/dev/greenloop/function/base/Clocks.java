package dev.greenloop.function.base;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import java.time.Clock;

/**
 * The one clock the functions take "now" from: inject {@link Clock}, never read the system clock
 * directly, so a test or a simulation can replace it.
 */
@ApplicationScoped
public class Clocks {

    @Produces
    @ApplicationScoped
    Clock clock() {
        return Clock.systemUTC();
    }
}
