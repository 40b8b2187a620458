package dev.greenloop.local.replay;

import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.SensorKind;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The history as Parquet: the CSV's table with typed columns; a bad schema stops, a bad row is reported with its number and skipped. */
class HistoryParquetTest {

    private static final MessageType SCHEMA = MessageTypeParser.parseMessageType("message history {"
            + " required int64 time (TIMESTAMP(MICROS,true)); required binary zone (STRING);"
            + " optional double air_temperature; optional int32 co2; optional float vent; }");
    private static final Instant T0 = Instant.parse("2025-06-10T00:00:00Z");

    @TempDir
    Path dir;

    private record Read(List<HistoryFile.Row> rows, List<HistoryFile.BadRow> bad, long last) {
    }

    private Path write(String name, MessageType schema, int rows, BiConsumer<Integer, Group> fill) throws Exception {
        Path file = dir.resolve(name);
        SimpleGroupFactory groups = new SimpleGroupFactory(schema);
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file)).withType(schema).build()) {
            for (int i = 0; i < rows; i++) {
                Group g = groups.newGroup();
                fill.accept(i, g);
                writer.write(g);
            }
        }
        return file;
    }

    private static Read read(Path file, long skip) {
        List<HistoryFile.Row> rows = new ArrayList<>();
        List<HistoryFile.BadRow> bad = new ArrayList<>();
        long last = HistoryParquet.read(file, skip, rows::add, bad::add);
        return new Read(rows, bad, last);
    }

    private static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }

    private Path history() throws Exception {
        return write("history.parquet", SCHEMA, 4, (i, g) -> {
            g.add("time", micros(T0.plusSeconds(60L * i)));
            g.add("zone", i == 1 ? "zone a!" : "zone-a");
            g.add("air_temperature", i == 2 ? Double.NaN : 18.25 + i);
            if (i != 3) {
                g.add("co2", 450 + i);
            }
            g.add("vent", 12.5f);
        });
    }

    @Test
    void rowsBecomeReadingsAndActuatorStatesAndANullIsNoReading() throws Exception {
        Path file = history();
        assertThat(HistoryParquet.isParquet(file)).isTrue();
        Read r = read(file, 0);
        assertThat(r.last()).isEqualTo(4);
        assertThat(r.rows()).extracting(HistoryFile.Row::line).containsExactly(1L, 4L);
        HistoryFile.Row first = r.rows().get(0);
        assertThat(first.zone()).isEqualTo("zone-a");
        assertThat(first.time()).isEqualTo(T0);
        assertThat(first.readings()).extracting(x -> x.sensor(), x -> x.value())
                .containsExactly(org.assertj.core.groups.Tuple.tuple(SensorKind.AIR_TEMPERATURE, 18.25),
                        org.assertj.core.groups.Tuple.tuple(SensorKind.CO2, 450.0));
        assertThat(first.actuators()).singleElement().satisfies(a -> {
            assertThat(a.actuator()).isEqualTo(ActuatorKind.VENT);
            assertThat(a.value()).isEqualTo(12.5);
        });
        assertThat(r.rows().get(1).readings()).extracting(x -> x.sensor()).containsExactly(SensorKind.AIR_TEMPERATURE);
        assertThat(r.rows().get(1).time()).isEqualTo(T0.plusSeconds(180));
    }

    @Test
    void aBadRowIsReportedWithItsNumberAndReasonAndTheNextOnesAreRead() throws Exception {
        Read r = read(history(), 0);
        assertThat(r.bad()).extracting(Object::toString).containsExactly(
                "row 2: zone 'zone a!' is not an id (letters, digits, '.', '_', ':' or '-', at most 128)",
                "row 3: air_temperature NaN is not a finite number");
    }

    @Test
    void aResumedReadSkipsTheRowsAlreadyDone() throws Exception {
        Read r = read(history(), 3);
        assertThat(r.rows()).extracting(HistoryFile.Row::line).containsExactly(4L);
        assertThat(r.bad()).isEmpty();
    }

    @Test
    void aSchemaThatCannotBeReadStopsBeforeAnyRowWithEveryProblem() throws Exception {
        MessageType bad = MessageTypeParser.parseMessageType("message history { required int64 time; required binary zone (STRING);"
                + " optional double humidity; optional boolean heating; optional group extra { optional double x; } }");
        Path file = write("bad.parquet", bad, 1, (i, g) -> {
            g.add("time", 1L);
            g.add("zone", "zone-a");
        });
        assertThatThrownBy(() -> read(file, 0)).isInstanceOf(HistoryFileException.class)
                .hasMessageContaining("the schema: column 'heating' is BOOLEAN")
                .hasMessageContaining("the schema: column 'extra' is a group")
                .hasMessageContaining("the schema: column 'time' is INT64 without a TIMESTAMP unit");
        MessageType unknown = MessageTypeParser.parseMessageType("message history { required binary time (STRING);"
                + " required binary zone (STRING); optional double humidity; }");
        Path named = write("unknown.parquet", unknown, 1, (i, g) -> {
            g.add("time", "2025-06-10T00:00:00Z");
            g.add("zone", "zone-a");
        });
        assertThatThrownBy(() -> read(named, 0)).isInstanceOf(HistoryFileException.class)
                .hasMessageContaining("the schema: unknown column 'humidity'");
    }

    @Test
    void aCsvFileIsNotTakenForParquetAndABrokenParquetFileIsRefused() throws Exception {
        Path csv = Files.writeString(dir.resolve("h.csv"), "time,zone,air_temperature\n");
        assertThat(HistoryParquet.isParquet(csv)).isFalse();
        Path broken = Files.write(dir.resolve("broken.parquet"), "PAR1 and then nothing a reader can use".getBytes());
        assertThat(HistoryParquet.isParquet(broken)).isTrue();
        assertThatThrownBy(() -> read(broken, 0)).isInstanceOf(HistoryFileException.class)
                .hasMessageContaining("it cannot be read as Parquet: the file is not a Parquet file");
    }
}
