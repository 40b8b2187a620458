package dev.greenloop.simulator;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.DuplicateHeaderMode;

import java.io.IOException;
import java.io.PushbackReader;
import java.io.Reader;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * What climate data files as CSV share, the simulator's weather files and the replay's history
 * files: RFC 4180 with a header line (names unique, cells trimmed, empty lines skipped, a UTF-8
 * byte-order mark dropped), times as RFC 3339 instants with their offset, and values quoted
 * shortly in errors.
 */
public final class ClimateCsv {

    /** What an error says of a time that is not one. */
    public static final String NOT_AN_INSTANT = "is not an RFC 3339 instant with an offset (e.g. 2025-06-10T00:00:00Z)";

    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true)
            .setIgnoreSurroundingSpaces(true).setIgnoreEmptyLines(true).setDuplicateHeaderMode(DuplicateHeaderMode.DISALLOW).get();

    private ClimateCsv() {
    }

    /** A parser of {@code reader} that has read the header line. */
    public static CSVParser parser(Reader reader) throws IOException {
        PushbackReader in = new PushbackReader(reader, 1);
        int first = in.read();
        if (first != -1 && first != '\uFEFF') {
            in.unread(first);
        }
        return CSVParser.builder().setReader(in).setFormat(FORMAT).get();
    }

    /** The instant {@code text} names, empty when it is not an RFC 3339 instant with an offset. */
    public static Optional<Instant> instant(String text) {
        try {
            return Optional.of(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** {@code text} as an error quotes it: at most 40 characters. */
    public static String clip(String text) {
        return text == null ? "" : text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }
}
