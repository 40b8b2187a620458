package dev.greenloop.deadletters;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A dead letter's place on the topic, {@code PARTITION:OFFSET}, as operators write it. */
public record Position(int partition, long offset) {

    private static final Pattern FORM = Pattern.compile("(\\d{1,5}):(\\d{1,18})");

    /** Parses {@code 0:17}; anything else is refused with the form it should have. */
    public static Position parse(String text) {
        Matcher m = text == null ? null : FORM.matcher(text.trim());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("a dead letter is named PARTITION:OFFSET, like 0:17 (as list shows it); was '"
                    + (text == null ? "" : DeadLetter.oneLine(text, 40)) + "'");
        }
        return new Position(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)));
    }

    @Override
    public String toString() {
        return partition + ":" + offset;
    }
}
