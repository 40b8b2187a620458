package dev.greenloop.preprocess.archive;

import org.apache.parquet.example.data.Group;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * One row of the raw archive: one reading or actuator state, with where it was in Kafka, so that
 * the offline path can replay the topic's order, and whether it was sent in backfill mode
 * ({@code backfill} column, absent in files written before it existed: read as live).
 */
public record RawRow(String eventId, String greenhouse, String zone, String device, String kind, String name,
                     double value, String unit, long timestamp, int partition, long offset, int itemIndex,
                     boolean backfill) {

    public static final MessageType SCHEMA = MessageTypeParser.parseMessageType("""
            message raw_reading {
              required binary event_id (STRING);
              required binary greenhouse (STRING);
              required binary zone (STRING);
              required binary device (STRING);
              required binary kind (STRING);
              required binary name (STRING);
              required double value;
              required binary unit (STRING);
              required int64 ts (TIMESTAMP(MILLIS,true));
              required int32 kafka_partition;
              required int64 kafka_offset;
              required int32 item_index;
              optional boolean backfill;
            }
            """);

    public static RawRow of(Group g) {
        return new RawRow(g.getString("event_id", 0), g.getString("greenhouse", 0), g.getString("zone", 0),
                g.getString("device", 0), g.getString("kind", 0), g.getString("name", 0), g.getDouble("value", 0),
                g.getString("unit", 0), g.getLong("ts", 0), g.getInteger("kafka_partition", 0),
                g.getLong("kafka_offset", 0), g.getInteger("item_index", 0),
                g.getType().containsField("backfill") && g.getFieldRepetitionCount("backfill") > 0 && g.getBoolean("backfill", 0));
    }
}
