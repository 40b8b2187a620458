package dev.greenloop.local;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** The demo's progress line: elapsed time and what it is doing, one line per step. */
public final class Progress {

    private final Instant start = Instant.now();
    private final boolean quiet;

    public Progress(boolean quiet) {
        this.quiet = quiet;
    }

    public void step(String what) {
        if (!quiet) {
            Duration d = Duration.between(start, Instant.now());
            System.out.printf(Locale.ROOT, "[%02d:%02d] %s%n", d.toMinutes(), d.toSecondsPart(), what);
        }
    }

    public Duration elapsed() {
        return Duration.between(start, Instant.now());
    }
}
