package dev.greenloop.preprocess.archive;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RawParquetWriterTest {

    @TempDir
    java.nio.file.Path dir;

    private static List<RawRow> rows(int count) {
        String[] names = {"air_temperature", "relative_humidity", "co2", "vent"};
        Random random = new Random(7);
        List<RawRow> rows = new ArrayList<>();
        String event = null;
        for (int i = 0; i < count; i++) {
            if (i % 40 == 0) {
                event = "ev-" + i;
            }
            boolean actuator = i % 4 == 3;
            rows.add(new RawRow(event, "gh-1", "zone-" + (i / 40 % 3), "dev-" + (i / 400), actuator ? "actuator" : "sensor",
                    names[i % 4], random.nextGaussian() * 100, actuator ? "%" : new String("degC"),
                    1_780_000_000_000L + i * 1_500L, i % 3, 1_000 + i / 40, i % 40, i % 7 == 0));
        }
        return rows;
    }

    private static void write(RawParquetWriter writer, List<RawRow> rows) throws java.io.IOException {
        for (RawRow row : rows) {
            writer.write(row);
        }
    }

    /** The file's rows, as the feature tables read raw files. */
    private static List<RawRow> readBack(Path file) throws java.io.IOException {
        List<RawRow> read = new ArrayList<>();
        try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), file).build()) {
            for (Group g = reader.read(); g != null; g = reader.read()) {
                read.add(RawRow.of(g));
            }
        }
        return read;
    }

    @Test
    void rowsComeBackAsTheyWereWrittenWithTheFooterAndStatisticsOnTimeOnly() throws Exception {
        Path file = new Path(dir.resolve("raw.parquet").toUri());
        List<RawRow> written = rows(50_000);
        try (RawParquetWriter writer = new RawParquetWriter(file, new Configuration(), Map.of("greenloop.source", "greenhouse.readings"))) {
            write(writer, written);
        }

        assertThat(readBack(file)).isEqualTo(written);

        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(file, new Configuration()))) {
            ParquetMetadata footer = reader.getFooter();
            assertThat(footer.getFileMetaData().getSchema()).isEqualTo(RawRow.SCHEMA);
            assertThat(footer.getFileMetaData().getKeyValueMetaData()).containsEntry("greenloop.source", "greenhouse.readings");
            assertThat(footer.getBlocks()).isNotEmpty();
            for (ColumnChunkMetaData column : footer.getBlocks().get(0).getColumns()) {
                assertThat(column.getCodec()).isEqualTo(CompressionCodecName.ZSTD);
                String name = column.getPath().toDotString();
                assertThat(column.getStatistics().isEmpty()).as("statistics of %s", name).isEqualTo(!name.equals("ts"));
            }
            ColumnChunkMetaData ts = footer.getBlocks().get(0).getColumns().stream()
                    .filter(c -> c.getPath().toDotString().equals("ts")).findFirst().orElseThrow();
            assertThat(ts.getStatistics().genericGetMin()).isEqualTo(written.get(0).timestamp());
            assertThat(ts.getStatistics().genericGetMax()).isEqualTo(written.get(written.size() - 1).timestamp());
        }
    }

    @Test
    void rowsSpreadOverSeveralRowGroupsComeBackInOrder() throws Exception {
        Path file = new Path(dir.resolve("groups.parquet").toUri());
        List<RawRow> written = rows(60_000);
        try (RawParquetWriter writer = new RawParquetWriter(file, new Configuration(), Map.of(), 64 << 10)) {
            write(writer, written);
        }

        assertThat(readBack(file)).isEqualTo(written);
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(file, new Configuration()))) {
            assertThat(reader.getFooter().getBlocks()).hasSizeGreaterThan(1);
            assertThat(reader.getFooter().getBlocks().stream().mapToLong(b -> b.getRowCount()).sum()).isEqualTo(written.size());
        }
    }

    @Test
    void aFileWithoutRowsIsAValidEmptyFileAndAnExistingFileIsNotOverwritten() throws Exception {
        Path file = new Path(dir.resolve("empty.parquet").toUri());
        new RawParquetWriter(file, new Configuration(), Map.of()).close();

        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(file, new Configuration()))) {
            assertThat(reader.getRecordCount()).isZero();
            assertThat(reader.getFooter().getFileMetaData().getSchema().getColumns()).extracting(ColumnDescriptor::getPath)
                    .hasSize(RawRow.SCHEMA.getColumns().size());
        }
        long size = Files.size(dir.resolve("empty.parquet"));
        assertThatThrownBy(() -> new RawParquetWriter(file, new Configuration(), Map.of())).isInstanceOf(java.io.IOException.class);
        assertThat(Files.size(dir.resolve("empty.parquet"))).isEqualTo(size);
    }
}
