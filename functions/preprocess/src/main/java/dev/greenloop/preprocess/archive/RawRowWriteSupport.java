package dev.greenloop.preprocess.archive;

import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;

import java.io.IOException;
import java.util.Map;

/**
 * Writes {@link RawRow}s straight to Parquet's record consumer: the example Group model builds a
 * tree of objects per row, which cost more than the writing itself at archive volumes.
 */
final class RawRowWriteSupport extends WriteSupport<RawRow> {

    private final Map<String, String> metadata;
    private RecordConsumer consumer;
    /** Per string column, the last value and its bytes: rows of one event repeat the same strings. */
    private final String[] lastString = new String[12];
    private final Binary[] lastBinary = new Binary[12];

    RawRowWriteSupport(Map<String, String> metadata) {
        this.metadata = metadata;
    }

    @Override
    public WriteContext init(Configuration configuration) {
        return new WriteContext(RawRow.SCHEMA, metadata);
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
        this.consumer = recordConsumer;
    }

    @Override
    public void write(RawRow row) {
        consumer.startMessage();
        string(0, "event_id", row.eventId());
        string(1, "greenhouse", row.greenhouse());
        string(2, "zone", row.zone());
        string(3, "device", row.device());
        string(4, "kind", row.kind());
        string(5, "name", row.name());
        consumer.startField("value", 6);
        consumer.addDouble(row.value());
        consumer.endField("value", 6);
        string(7, "unit", row.unit());
        consumer.startField("ts", 8);
        consumer.addLong(row.timestamp());
        consumer.endField("ts", 8);
        consumer.startField("kafka_partition", 9);
        consumer.addInteger(row.partition());
        consumer.endField("kafka_partition", 9);
        consumer.startField("kafka_offset", 10);
        consumer.addLong(row.offset());
        consumer.endField("kafka_offset", 10);
        consumer.startField("item_index", 11);
        consumer.addInteger(row.itemIndex());
        consumer.endField("item_index", 11);
        if (row.backfill()) {
            // Left out (null) on live rows: the column costs nothing where there is no backfill.
            consumer.startField("backfill", 12);
            consumer.addBoolean(true);
            consumer.endField("backfill", 12);
        }
        consumer.endMessage();
    }

    private void string(int index, String field, String value) {
        consumer.startField(field, index);
        if (lastString[index] != value) {
            lastString[index] = value;
            lastBinary[index] = Binary.fromConstantByteArray(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        consumer.addBinary(lastBinary[index]);
        consumer.endField(field, index);
    }

    /** A writer of raw rows to {@code path}. */
    static ParquetWriter<RawRow> writer(org.apache.hadoop.fs.Path path, Configuration conf, Map<String, String> metadata)
            throws IOException {
        // Dictionaries would hash every string of every row; zstd takes the repetition out as well.
        // Min/max statistics only where a reader filters (time): comparing every row's strings
        // and offsets was a fifth of the writing.
        return new Builder(path, metadata).withConf(conf)
                .withDictionaryEncoding(false)
                .withStatisticsEnabled(false).withStatisticsEnabled("ts", true)
                .withCompressionCodec(org.apache.parquet.hadoop.metadata.CompressionCodecName.ZSTD).build();
    }

    private static final class Builder extends ParquetWriter.Builder<RawRow, Builder> {
        private final Map<String, String> metadata;

        Builder(org.apache.hadoop.fs.Path path, Map<String, String> metadata) {
            super(path);
            this.metadata = metadata;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<RawRow> getWriteSupport(Configuration conf) {
            return new RawRowWriteSupport(metadata);
        }
    }
}
