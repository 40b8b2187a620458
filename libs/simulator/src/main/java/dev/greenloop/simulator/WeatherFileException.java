package dev.greenloop.simulator;

import java.util.List;

/** A weather file that cannot be used: every problem found, each with its line number and why. */
public final class WeatherFileException extends IllegalArgumentException {

    private final List<String> problems;

    public WeatherFileException(String file, List<String> problems) {
        super("The weather file " + file + " cannot be used:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
