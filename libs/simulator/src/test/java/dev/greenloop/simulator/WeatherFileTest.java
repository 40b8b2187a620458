package dev.greenloop.simulator;

import dev.greenloop.events.payload.Reading;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.events.payload.SensorKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The weather file: what a good one gives the simulator, and every bad one refused with the line and the reason. */
class WeatherFileTest {

    private static final String HEADER = "time,outside_temperature,relative_humidity,global_radiation,wind_speed\n";
    private static final String ROW1 = "2026-06-01T00:00:00Z,10,80,0,2\n";
    private static final String ROW2 = "2026-06-01T01:00:00Z,12,70,100,4\n";

    static Stream<Arguments> badFiles() {
        return Stream.of(
                Arguments.of("empty", "", "line 1: the file is empty"),
                Arguments.of("a missing column", "time,outside_temperature,relative_humidity,global_radiation\n" + ROW1,
                        "line 1: the column 'wind_speed' is missing"),
                Arguments.of("an unknown column", HEADER.replace("\n", ",rain\n") + ROW1, "line 1: unknown column 'rain'"),
                Arguments.of("a repeated column", HEADER.replace("\n", ",wind_speed\n") + ROW1, "wind_speed"),
                Arguments.of("a row with a field too few", HEADER + ROW1 + "2026-06-01T01:00:00Z,12,70,100\n",
                        "line 3: 4 fields, the header has 5"),
                Arguments.of("a time without an offset", HEADER + ROW1 + "2026-06-01T01:00:00,12,70,100,4\n",
                        "line 3: time '2026-06-01T01:00:00' is not an RFC 3339 instant with an offset"),
                Arguments.of("a word for a number", HEADER + ROW1 + "2026-06-01T01:00:00Z,warm,70,100,4\n",
                        "line 3: outside_temperature 'warm' is not a number"),
                Arguments.of("humidity over 100 %", HEADER + ROW1 + "2026-06-01T01:00:00Z,12,140,100,4\n",
                        "line 3: relative_humidity 140 is outside 0 to 100 %"),
                Arguments.of("negative radiation", HEADER + ROW1 + "2026-06-01T01:00:00Z,12,70,-5,4\n",
                        "line 3: global_radiation -5 is outside 0 to 1500 W/m²"),
                Arguments.of("NaN", HEADER + ROW1 + "2026-06-01T01:00:00Z,NaN,70,100,4\n",
                        "line 3: outside_temperature NaN is outside -60 to 60 °C"),
                Arguments.of("time going back", HEADER + ROW2 + ROW1,
                        "line 3: time 2026-06-01T00:00:00Z is not after line 2's 2026-06-01T01:00:00Z"),
                Arguments.of("a repeated time", HEADER + ROW1 + ROW1, "line 3: time 2026-06-01T00:00:00Z is not after"),
                Arguments.of("a gap of a day", HEADER + ROW1 + "2026-06-02T00:00:00Z,12,70,100,4\n",
                        "line 3: 1440 minutes after line 2 (at most 3 h between rows)"),
                Arguments.of("co2 of 50 ppm", HEADER.replace("\n", ",co2\n") + "2026-06-01T00:00:00Z,10,80,0,2,420\n"
                        + "2026-06-01T01:00:00Z,12,70,100,4,50\n", "line 3: co2 50 is outside 150 to 5000 ppm"),
                Arguments.of("one row only", HEADER + ROW1, "it has 1 row(s); at least two are needed"),
                Arguments.of("an unclosed quote", HEADER + ROW1 + "\"2026-06-01T01:00:00Z,12,70,100,4\n", "weather.csv"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void aBadFileIsRefusedWithTheLineAndTheReason(String name, String text, String expected) {
        assertThatThrownBy(() -> WeatherFile.parse("weather.csv", text)).isInstanceOf(WeatherFileException.class)
                .hasMessageContaining("The weather file weather.csv cannot be used").hasMessageContaining(expected);
    }

    @Test
    void everyBadRowIsListedUpToALimitAndTheRestCounted() {
        StringBuilder text = new StringBuilder(HEADER).append(ROW1);
        for (int i = 1; i <= 30; i++) {
            text.append(Instant.parse("2026-06-01T00:00:00Z").plusSeconds(60L * i)).append(",12,70,100,-1\n");
        }
        WeatherFileException e = org.junit.jupiter.api.Assertions.assertThrows(WeatherFileException.class,
                () -> WeatherFile.parse("weather.csv", text.toString()));
        assertThat(e.problems()).hasSize(WeatherFile.MAX_PROBLEMS + 1);
        assertThat(e.problems().get(0)).startsWith("line 3: wind_speed -1 is outside");
        assertThat(e.problems().get(WeatherFile.MAX_PROBLEMS)).isEqualTo("and 10 more");
    }

    @Test
    void betweenRowsTheWeatherIsInterpolated() {
        WeatherFile file = WeatherFile.parse("w", "\uFEFF" + HEADER.replace("\n", "\r\n") + ROW1 + ROW2);
        assertThat(file.rows()).isEqualTo(2);
        WeatherFile.Sample half = file.at(Instant.parse("2026-06-01T00:30:00Z"));
        assertThat(half.temperature()).isCloseTo(11, within(1e-9));
        assertThat(half.humidity()).isCloseTo(75, within(1e-9));
        assertThat(half.radiation()).isCloseTo(50, within(1e-9));
        assertThat(half.windSpeed()).isCloseTo(3, within(1e-9));
        assertThat(half.co2()).as("without the column, outside air's usual").isEqualTo(420);
        assertThatThrownBy(() -> file.at(Instant.parse("2026-06-01T01:00:01Z"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("covers 2026-06-01T00:00:00Z to 2026-06-01T01:00:00Z");
    }

    @Test
    void columnsMayComeInAnyOrder() {
        WeatherFile file = WeatherFile.parse("w", "wind_speed,time,global_radiation,relative_humidity,outside_temperature\n"
                + "2,2026-06-01T00:00:00Z,0,80,10\n4,2026-06-01T02:00:00+01:00,100,70,12\n");
        assertThat(file.end()).as("an offset is honoured").isEqualTo(Instant.parse("2026-06-01T01:00:00Z"));
        assertThat(file.at(file.end()).temperature()).isEqualTo(12);
        assertThat(file.at(file.end()).windSpeed()).isEqualTo(4);
    }

    @Test
    void theSampleThatShipsIsValidAndCoversAWeek() {
        WeatherFile sample = WeatherFile.read(Path.of("../../local/weather/sample.csv"));
        assertThat(Duration.between(sample.start(), sample.end())).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void theSimulatedGreenhouseLivesUnderTheFilesWeatherFromItsFirstDay() {
        WeatherFile sample = WeatherFile.read(Path.of("../../local/weather/sample.csv"));
        // A simulation of a later year starts on the file's first day, at 06:00.
        Instant start = Instant.parse("2027-03-01T06:00:00Z");
        GreenhouseSimulator sim = new GreenhouseSimulator("gh", List.of("z1"), start, 5, 0, sample);
        double[] outside = new double[3];
        double[] radiation = new double[3];
        for (int hour = 0; hour < 3; hour++) {
            ReadingsBatch batch = sim.advance(Duration.ofHours(hour == 0 ? 6 : 1)).get(0);
            outside[hour] = value(batch, SensorKind.OUTSIDE_TEMPERATURE);
            radiation[hour] = value(batch, SensorKind.GLOBAL_RADIATION);
        }
        // 12:00, 13:00 and 14:00 of the file's first day (2025-06-10), read with the sensors' noise.
        WeatherFile.Sample noon = sample.at(Instant.parse("2025-06-10T12:00:00Z"));
        WeatherFile.Sample two = sample.at(Instant.parse("2025-06-10T14:00:00Z"));
        assertThat(outside[0]).isCloseTo(noon.temperature(), within(0.6));
        assertThat(outside[2]).isCloseTo(two.temperature(), within(0.6));
        assertThat(radiation[0]).isCloseTo(noon.radiation(), within(15.0));

        GreenhouseSimulator synthetic = new GreenhouseSimulator("gh", List.of("z1"), start, 5, 0);
        double syntheticNoon = value(synthetic.advance(Duration.ofHours(6)).get(0), SensorKind.OUTSIDE_TEMPERATURE);
        assertThat(syntheticNoon).as("the file, not the synthetic weather").isNotCloseTo(outside[0], within(0.01));
    }

    @Test
    void aFileThatBeginsLaterInItsDayThanTheSimulationIsRefused() {
        WeatherFile file = WeatherFile.parse("w", HEADER + "2026-06-01T08:00:00Z,10,80,0,2\n2026-06-01T09:00:00Z,12,70,100,4\n");
        assertThatThrownBy(() -> new GreenhouseSimulator("gh", List.of("z1"), Instant.parse("2027-01-01T06:00:00Z"), 1, 0, file))
                .isInstanceOf(WeatherFileException.class).hasMessageContaining("must begin at or before 06:00 UTC");
    }

    private static double value(ReadingsBatch batch, SensorKind kind) {
        return batch.readings().stream().filter(r -> r.sensor() == kind).mapToDouble(Reading::value).findFirst().orElseThrow();
    }
}
