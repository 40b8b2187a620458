package dev.greenloop.preprocess.archive;

import dev.greenloop.events.EventException;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.json.ReadingsBinding;
import dev.greenloop.events.kafka.KafkaEvents;
import dev.greenloop.events.payload.ActuatorState;
import dev.greenloop.events.payload.Reading;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.preprocess.PreprocessConfig;
import dev.greenloop.preprocess.PreprocessException;
import dev.greenloop.preprocess.PreprocessException.Kind;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.hadoop.fs.Path;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.parquet.hadoop.ParquetWriter;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Copies {@code greenhouse.readings} to Parquet on HDFS exactly once:
 * <ol>
 *   <li>plan: from the archive group's committed offsets to the end offsets seen now, saved in
 *       MongoDB (an unfinished plan from a crashed run is reused as it is);</li>
 *   <li>write: one file per greenhouse, day and partition range,
 *       {@code raw/greenhouse=<g>/date=<d>/part-<partition>-<start>-<end>.parquet}, written under a
 *       temporary name and renamed when complete (a file that exists already is complete);</li>
 *   <li>commit the offsets, and only then mark the plan done.</li>
 * </ol>
 * A crash at any point is repaired by the next run, which redoes the same plan: names come from
 * the ranges, so nothing is written twice and nothing is skipped.
 */
@ApplicationScoped
public class RawArchiver {

    private static final Logger LOG = Logger.getLogger(RawArchiver.class);

    private final PreprocessConfig.Archive config;
    private final ArchiveState state;
    private final Hdfs hdfs;
    private final Counter bytesWritten;
    private final Counter recordsArchived;
    private final Counter poisonRecords;

    public RawArchiver(PreprocessConfig config, ArchiveState state, Hdfs hdfs, MeterRegistry registry) {
        this.config = config.archive();
        this.state = state;
        this.hdfs = hdfs;
        this.bytesWritten = Counter.builder("greenloop.preprocess.archive.bytes").baseUnit("bytes")
                .description("Bytes of Parquet written to HDFS (raw and features)").register(registry);
        this.recordsArchived = Counter.builder("greenloop.preprocess.archive.records")
                .description("Kafka records archived to HDFS").register(registry);
        this.poisonRecords = Counter.builder("greenloop.preprocess.archive.poison")
                .description("Records on the readings topic that are not valid readings events (skipped)").register(registry);
        registry.gauge("greenloop.preprocess.archive.lag.records", this, RawArchiver::lastLag);
    }

    private volatile long lastLag;

    private double lastLag() {
        return lastLag;
    }

    /** Result of a run: the greenhouse days that got new raw data. */
    public record Outcome(Map<String, Set<LocalDate>> days, long records, long bytes) {
    }

    /** Plans (or resumes a plan), writes and commits. Call under the archive lock. */
    public Outcome run() {
        clearTemporaryFiles();
        try (KafkaConsumer<String, CloudEvent> consumer = consumer()) {
            List<ArchiveState.Range> plan = state.unfinishedPlan();
            if (plan == null) {
                plan = plan(consumer);
                state.savePlan(plan);
            } else {
                LOG.infof("Resuming an unfinished archive plan: %s", plan);
            }
            Outcome outcome = write(consumer, plan);
            commit(consumer, plan);
            state.finishPlan();
            return outcome;
        } catch (KafkaException e) {
            throw new PreprocessException(Kind.ARCHIVE_FAILED, "Kafka: " + e.getMessage(), e);
        }
    }

    /** Half-written files of crashed runs; under the lock nobody else is writing. */
    private void clearTemporaryFiles() {
        try {
            hdfs.fs().delete(hdfs.path("_tmp"), true);
        } catch (IOException e) {
            throw new PreprocessException(Kind.ARCHIVE_FAILED, "cleaning " + hdfs.path("_tmp") + ": " + e.getMessage(), e);
        }
    }

    /** Step 1 alone: for tests that stop a run part-way, as a crash would. */
    List<ArchiveState.Range> planOnly() {
        try (KafkaConsumer<String, CloudEvent> consumer = consumer()) {
            List<ArchiveState.Range> plan = plan(consumer);
            state.savePlan(plan);
            return plan;
        }
    }

    /** Steps 1 and 2 without committing: what a crash between writing and committing leaves. */
    Outcome writeWithoutCommit() {
        try (KafkaConsumer<String, CloudEvent> consumer = consumer()) {
            List<ArchiveState.Range> plan = state.unfinishedPlan();
            if (plan == null) {
                plan = plan(consumer);
                state.savePlan(plan);
            }
            return write(consumer, plan);
        }
    }

    private List<ArchiveState.Range> plan(KafkaConsumer<String, CloudEvent> consumer) {
        List<TopicPartition> partitions = consumer.partitionsFor(config.topic(), Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(config.topic(), p.partition())).toList();
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions), Duration.ofSeconds(30));
        Map<TopicPartition, Long> beginning = consumer.beginningOffsets(partitions, Duration.ofSeconds(30));
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
        List<ArchiveState.Range> ranges = new ArrayList<>();
        long lag = 0;
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata c = committed.get(tp);
            long start = Math.max(c != null ? c.offset() : 0, beginning.get(tp));
            ranges.add(new ArchiveState.Range(tp.partition(), start, end.get(tp)));
            lag += end.get(tp) - start;
        }
        lastLag = lag;
        return ranges;
    }

    private Outcome write(KafkaConsumer<String, CloudEvent> consumer, List<ArchiveState.Range> plan) {
        Map<String, Set<LocalDate>> days = new HashMap<>();
        long records = 0;
        long bytes = 0;
        for (ArchiveState.Range range : plan) {
            if (range.end() <= range.start()) {
                continue;
            }
            Map<String, List<RawRow>> files = new LinkedHashMap<>();
            records += read(consumer, range, files);
            for (Map.Entry<String, List<RawRow>> file : files.entrySet()) {
                RawRow first = file.getValue().get(0);
                LocalDate day = Instant.ofEpochMilli(first.timestamp()).atZone(ZoneOffset.UTC).toLocalDate();
                bytes += writeFile(file.getKey(), file.getValue());
                days.computeIfAbsent(first.greenhouse(), g -> new TreeSet<>()).add(day);
            }
        }
        // The feature tables of a day read its neighbours (lookback, targets): rebuild those too.
        days.forEach((greenhouse, set) -> set.forEach(day -> {
            state.markDay(greenhouse, day.minusDays(1));
            state.markDay(greenhouse, day);
            state.markDay(greenhouse, day.plusDays(1));
        }));
        recordsArchived.increment(records);
        return new Outcome(days, records, bytes);
    }

    private long read(KafkaConsumer<String, CloudEvent> consumer, ArchiveState.Range range, Map<String, List<RawRow>> files) {
        TopicPartition tp = new TopicPartition(config.topic(), range.partition());
        consumer.assign(List.of(tp));
        consumer.seek(tp, range.start());
        long count = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (consumer.position(tp) < range.end()) {
            if (System.nanoTime() > deadline) {
                throw new PreprocessException(Kind.ARCHIVE_FAILED, "reading " + tp + " up to " + range.end() + " timed out");
            }
            for (ConsumerRecord<String, CloudEvent> record : consumer.poll(Duration.ofMillis(500))) {
                if (record.offset() >= range.end()) {
                    break;
                }
                count++;
                addRows(record, range, files);
            }
        }
        return count;
    }

    private void addRows(ConsumerRecord<String, CloudEvent> record, ArchiveState.Range range, Map<String, List<RawRow>> files) {
        ReadingsBatch batch;
        try {
            // The archive keeps what ingest accepted: the payload records still check every value,
            // but the JSON Schema pass, which would cost more than the whole copy, is left out.
            CloudEvent event = record.value();
            if (!EventTypes.SENSOR_READINGS.equals(event.getType()) || event.getData() == null) {
                throw EventException.unknownType(event.getType());
            }
            batch = ReadingsBinding.bind(PayloadCodec.parse(event.getData().toBytes()));
        } catch (EventException | NullPointerException | ClassCastException e) {
            poisonRecords.increment();
            LOG.warnf("Skipping %s-%d@%d: not a readings event (%s)", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
            return;
        }
        String eventId = record.value().getId();
        int index = 0;
        for (Reading r : batch.readings()) {
            add(files, range, new RawRow(eventId, batch.greenhouseId(), batch.zoneId(), batch.deviceId(), "sensor",
                    r.sensor().wireName(), r.value(), r.unit(), r.timestamp().toEpochMilli(), record.partition(),
                    record.offset(), index++));
        }
        for (ActuatorState a : batch.actuators()) {
            add(files, range, new RawRow(eventId, batch.greenhouseId(), batch.zoneId(), batch.deviceId(), "actuator",
                    a.actuator().wireName(), a.value(), a.unit(), a.timestamp().toEpochMilli(), record.partition(),
                    record.offset(), index++));
        }
    }

    private static void add(Map<String, List<RawRow>> files, ArchiveState.Range range, RawRow row) {
        LocalDate day = Instant.ofEpochMilli(row.timestamp()).atZone(ZoneOffset.UTC).toLocalDate();
        String name = "raw/greenhouse=" + row.greenhouse() + "/date=" + day + "/part-" + range.partition() + "-"
                + range.start() + "-" + range.end() + ".parquet";
        files.computeIfAbsent(name, k -> new ArrayList<>()).add(row);
    }

    /** Writes one file under a temporary name and renames it; a complete file already there is kept. */
    private long writeFile(String relative, List<RawRow> rows) {
        Path target = hdfs.path(relative);
        Path temporary = hdfs.path("_tmp/" + UUID.randomUUID() + ".parquet");
        try {
            if (hdfs.fs().exists(target)) {
                LOG.debugf("%s exists from an earlier attempt; keeping it", target);
                return 0;
            }
            try (ParquetWriter<RawRow> writer = RawRowWriteSupport.writer(temporary, hdfs.conf(),
                    Map.of("greenloop.source", config.topic()))) {
                for (RawRow row : rows) {
                    writer.write(row);
                }
            }
            long size = hdfs.fs().getFileStatus(temporary).getLen();
            hdfs.fs().mkdirs(target.getParent());
            if (!hdfs.fs().rename(temporary, target)) {
                hdfs.fs().delete(temporary, false);
                if (!hdfs.fs().exists(target)) {
                    throw new IOException("rename to " + target + " failed");
                }
                return 0;
            }
            bytesWritten.increment(size);
            return size;
        } catch (IOException e) {
            throw new PreprocessException(Kind.ARCHIVE_FAILED, "writing " + target + ": " + e.getMessage(), e);
        }
    }

    private void commit(KafkaConsumer<String, CloudEvent> consumer, List<ArchiveState.Range> plan) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ArchiveState.Range range : plan) {
            offsets.put(new TopicPartition(config.topic(), range.partition()), new OffsetAndMetadata(range.end()));
        }
        consumer.commitSync(offsets, Duration.ofSeconds(30));
    }

    private KafkaConsumer<String, CloudEvent> consumer() {
        Map<String, Object> props = KafkaEvents.consumerConfig(config.bootstrapServers(), config.group());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "greenloop-archive");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        return new KafkaConsumer<>(props);
    }
}
