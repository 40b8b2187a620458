package dev.greenloop.local.replay;

import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.SensorKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.StringReader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The history file: rows as the climate computer wrote them; a bad header stops, a bad row is reported with its line and skipped. */
class HistoryFileTest {

    private static final String HEADER = "time,zone,air_temperature,relative_humidity,heating\n";

    private record Read(List<HistoryFile.Row> rows, List<HistoryFile.BadRow> bad, long last) {
    }

    private static Read read(String text, long skip) {
        List<HistoryFile.Row> rows = new ArrayList<>();
        List<HistoryFile.BadRow> bad = new ArrayList<>();
        long last = HistoryFile.read("history.csv", new StringReader(text), skip, rows::add, bad::add);
        return new Read(rows, bad, last);
    }

    @Test
    void aRowBecomesReadingsAndActuatorStatesInTheirCanonicalUnits() {
        Read r = read("\uFEFF" + HEADER + "2025-06-10T02:00:00+02:00,zone-a,18.5,81,42\n2025-06-10T00:10:00Z,zone-b,,80,\n", 0);
        assertThat(r.bad()).isEmpty();
        assertThat(r.last()).isEqualTo(3);
        HistoryFile.Row first = r.rows().get(0);
        assertThat(first.line()).isEqualTo(2);
        assertThat(first.zone()).isEqualTo("zone-a");
        assertThat(first.time()).isEqualTo(Instant.parse("2025-06-10T00:00:00Z"));
        assertThat(first.readings()).extracting(x -> x.sensor()).containsExactly(SensorKind.AIR_TEMPERATURE, SensorKind.RELATIVE_HUMIDITY);
        assertThat(first.readings().get(0).unit()).isEqualTo(SensorKind.AIR_TEMPERATURE.canonicalUnit());
        assertThat(first.actuators()).extracting(x -> x.actuator()).containsExactly(ActuatorKind.HEATING);
        assertThat(first.actuators().get(0).value()).isEqualTo(42);
        HistoryFile.Row second = r.rows().get(1);
        assertThat(second.items()).as("empty cells are no readings").isEqualTo(1);
    }

    static Stream<Arguments> badRows() {
        return Stream.of(
                Arguments.of("a time without an offset", "2025-06-10T00:00:00,zone-a,18,80,40",
                        "line 2: time '2025-06-10T00:00:00' is not an RFC 3339 instant with an offset"),
                Arguments.of("a word for a number", "2025-06-10T00:00:00Z,zone-a,warm,80,40", "line 2: air_temperature 'warm' is not a number"),
                Arguments.of("NaN", "2025-06-10T00:00:00Z,zone-a,NaN,80,40", "line 2: air_temperature NaN is not a finite number"),
                Arguments.of("a zone with a slash", "2025-06-10T00:00:00Z,zone/a,18,80,40", "line 2: zone 'zone/a' is not an id"),
                Arguments.of("an empty zone", "2025-06-10T00:00:00Z,,18,80,40", "line 2: zone '' is not an id"),
                Arguments.of("a field too many", "2025-06-10T00:00:00Z,zone-a,18,80,40,1", "line 2: 6 fields, the header has 5"),
                Arguments.of("no value at all", "2025-06-10T00:00:00Z,zone-a,,,", "line 2: no value in any sensor or actuator column"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRows")
    void aBadRowIsReportedWithItsLineAndTheNextOnesAreRead(String name, String row, String expected) {
        Read r = read(HEADER + row + "\n2025-06-10T00:10:00Z,zone-a,18,80,40\n", 0);
        assertThat(r.bad()).hasSize(1);
        assertThat(r.bad().get(0).toString()).startsWith(expected);
        assertThat(r.rows()).extracting(HistoryFile.Row::line).containsExactly(3L);
    }

    static Stream<Arguments> badHeaders() {
        return Stream.of(
                Arguments.of("no zone", "time,air_temperature\n", "line 1: the column 'zone' is missing"),
                Arguments.of("no time", "zone,air_temperature\n", "line 1: the column 'time' is missing"),
                Arguments.of("an unknown column", "time,zone,air_temp\n", "line 1: unknown column 'air_temp'; the sensors are air_temperature"),
                Arguments.of("only time and zone", "time,zone\n", "line 1: no sensor or actuator column"),
                Arguments.of("a repeated column", "time,zone,co2,co2\n", "co2"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badHeaders")
    void aBadHeaderStopsBeforeAnyRow(String name, String header, String expected) {
        List<HistoryFile.Row> rows = new ArrayList<>();
        assertThatThrownBy(() -> HistoryFile.read("history.csv", new StringReader(header + "2025-06-10T00:00:00Z,zone-a,18,80\n"),
                0, rows::add, b -> { })).isInstanceOf(HistoryFileException.class)
                .hasMessageContaining("The history file history.csv cannot be replayed").hasMessageContaining(expected);
        assertThat(rows).isEmpty();
    }

    @Test
    void anEmptyFileIsRefused() {
        assertThatThrownBy(() -> read("", 0)).isInstanceOf(HistoryFileException.class).hasMessageContaining("line 1: the file is empty");
    }

    @Test
    void aResumedReadSkipsTheLinesAlreadyDone() {
        Read r = read(HEADER + "2025-06-10T00:00:00Z,zone-a,18,80,40\n2025-06-10T00:10:00Z,zone-a,18,80,40\n"
                + "2025-06-10T00:20:00Z,zone-a,18,80,40\n", 3);
        assertThat(r.rows()).extracting(HistoryFile.Row::line).containsExactly(4L);
    }
}
