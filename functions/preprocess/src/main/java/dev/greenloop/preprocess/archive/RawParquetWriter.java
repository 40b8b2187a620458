package dev.greenloop.preprocess.archive;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.api.Binary;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes {@link RawRow}s to a Parquet file of {@link RawRow#SCHEMA}, straight into parquet-mr's
 * column writers. The record path ({@code ParquetWriter} with a {@code WriteSupport}) keeps
 * per-field bookkeeping for nested data that flat rows do not need: it cost about twice this
 * at archive volumes ({@code docs/benchmarks.md}). The file is the same: zstd, no dictionaries
 * (they would hash every string of every row; zstd takes the repetition out as well), min/max
 * statistics on {@code ts} only (the column readers filter on), row groups of up to 128 MiB.
 */
final class RawParquetWriter implements Closeable {

    private static final long ROW_GROUP_BYTES = 128L << 20;
    private static final int MAX_PADDING_BYTES = 8 << 20;
    private static final int ROWS_BETWEEN_SIZE_CHECKS = 1_000;
    private static final int STRING_COLUMNS = 8;

    private final ParquetProperties properties;
    private final ParquetFileWriter file;
    private final CodecFactory codecs;
    private final BytesInputCompressor compressor;
    private final Map<String, String> metadata;
    private final long rowGroupBytes;
    private ColumnChunkPageWriteStore pages;
    private ColumnWriteStore columns;
    private ColumnWriter[] writers;
    private long rowsInGroup;
    /** Per string column, the last value and its bytes: rows of one event repeat the same strings. */
    private final String[] lastString = new String[STRING_COLUMNS];
    private final Binary[] lastBinary = new Binary[STRING_COLUMNS];

    /** A writer of raw rows to {@code path}, which must not exist; {@code metadata} goes in the footer. */
    RawParquetWriter(Path path, Configuration conf, Map<String, String> metadata) throws IOException {
        this(path, conf, metadata, ROW_GROUP_BYTES);
    }

    /** As above, with row groups of about {@code rowGroupBytes} buffered bytes. */
    RawParquetWriter(Path path, Configuration conf, Map<String, String> metadata, long rowGroupBytes) throws IOException {
        this.rowGroupBytes = rowGroupBytes;
        this.properties = ParquetProperties.builder()
                .withDictionaryEncoding(false)
                .withStatisticsEnabled(false)
                .withStatisticsEnabled("ts", true)
                .build();
        this.metadata = Map.copyOf(metadata);
        this.file = new ParquetFileWriter(HadoopOutputFile.fromPath(path, conf), RawRow.SCHEMA, ParquetFileWriter.Mode.CREATE,
                rowGroupBytes, MAX_PADDING_BYTES, null, properties);
        this.codecs = new CodecFactory(conf, properties.getPageSizeThreshold());
        this.compressor = codecs.getCompressor(CompressionCodecName.ZSTD);
        file.start();
        startRowGroup();
    }

    private void startRowGroup() {
        pages = new ColumnChunkPageWriteStore(compressor, RawRow.SCHEMA, properties.getAllocator(),
                properties.getColumnIndexTruncateLength(), properties.getPageWriteChecksumEnabled());
        columns = properties.newColumnWriteStore(RawRow.SCHEMA, pages, pages);
        writers = RawRow.SCHEMA.getColumns().stream().map(columns::getColumnWriter).toArray(ColumnWriter[]::new);
        rowsInGroup = 0;
    }

    /** Appends one row, in the schema's column order. */
    void write(RawRow row) throws IOException {
        string(0, row.eventId());
        string(1, row.greenhouse());
        string(2, row.zone());
        string(3, row.device());
        string(4, row.kind());
        string(5, row.name());
        writers[6].write(row.value(), 0, 0);
        string(7, row.unit());
        writers[8].write(row.timestamp(), 0, 0);
        writers[9].write(row.partition(), 0, 0);
        writers[10].write(row.offset(), 0, 0);
        writers[11].write(row.itemIndex(), 0, 0);
        if (row.backfill()) {
            writers[12].write(true, 0, 1);
        } else {
            // Null on live rows: the column costs nothing where there is no backfill.
            writers[12].writeNull(0, 0);
        }
        columns.endRecord();
        rowsInGroup++;
        if (rowsInGroup % ROWS_BETWEEN_SIZE_CHECKS == 0 && columns.getBufferedSize() >= rowGroupBytes) {
            flushRowGroup();
            startRowGroup();
        }
    }

    private void string(int column, String value) {
        if (lastString[column] != value) {
            lastString[column] = value;
            lastBinary[column] = Binary.fromConstantByteArray(value.getBytes(StandardCharsets.UTF_8));
        }
        writers[column].write(lastBinary[column], 0, 0);
    }

    private void flushRowGroup() throws IOException {
        file.startBlock(rowsInGroup);
        columns.flush();
        pages.flushToFileWriter(file);
        file.endBlock();
        columns.close();
        pages.close();
    }

    /** Writes the last row group and the footer. */
    @Override
    public void close() throws IOException {
        try {
            if (rowsInGroup > 0) {
                flushRowGroup();
            } else {
                columns.close();
                pages.close();
            }
            file.end(metadata);
        } finally {
            codecs.release();
        }
    }
}
