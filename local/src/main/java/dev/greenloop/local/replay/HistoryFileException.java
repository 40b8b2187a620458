package dev.greenloop.local.replay;

import java.util.List;

/** A history file whose header cannot be used: every problem, with its line number. */
public final class HistoryFileException extends IllegalArgumentException {

    private final List<String> problems;

    public HistoryFileException(String file, List<String> problems) {
        super("The history file " + file + " cannot be replayed:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
