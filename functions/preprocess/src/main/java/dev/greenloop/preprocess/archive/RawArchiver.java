package dev.greenloop.preprocess.archive;

import dev.greenloop.clients.Settings;
import dev.greenloop.events.EventException;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.Extensions;
import dev.greenloop.events.kafka.KafkaEvents;
import dev.greenloop.events.kafka.KafkaSecurity;
import dev.greenloop.preprocess.PreprocessConfig;
import dev.greenloop.preprocess.PreprocessException.Kind;
import dev.greenloop.preprocess.PreprocessException;
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
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Copies {@code greenhouse.readings} to Parquet on HDFS exactly once:
 * <ol>
 *   <li>plan: from the archive group's committed offsets to the end offsets seen now, saved in
 *       MongoDB (an unfinished plan from a crashed run is reused as it is);</li>
 *   <li>write: one file per greenhouse, day and piece of a partition's range (the plan cuts ranges
 *       so that the threads share the records evenly, {@link PlanSplitter}),
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
    private static final long DAY_MILLIS = 86_400_000L;

    private final KafkaSecurity kafkaSecurity;
    private final PreprocessConfig.Archive config;
    private final ArchiveState state;
    private final Hdfs hdfs;
    private final int parallelism;
    private final Counter bytesWritten;
    private final Counter recordsArchived;
    private final Counter poisonRecords;
    private volatile long lastLag;

    public RawArchiver(PreprocessConfig config, ArchiveState state, Hdfs hdfs, MeterRegistry registry) {
        this.config = config.archive();
        this.kafkaSecurity = KafkaSecurity.fromSettings(Settings.fromConfig());
        this.state = state;
        this.hdfs = hdfs;
        this.parallelism = Math.max(1, config.archive().parallelism().orElse(Runtime.getRuntime().availableProcessors()));
        this.bytesWritten = Counter.builder("greenloop.preprocess.archive.bytes").baseUnit("bytes")
                .description("Bytes of Parquet written to HDFS (raw and features)").register(registry);
        this.recordsArchived = Counter.builder("greenloop.preprocess.archive.records")
                .description("Kafka records archived to HDFS").register(registry);
        this.poisonRecords = Counter.builder("greenloop.preprocess.archive.poison")
                .description("Records on the readings topic that are not valid readings events (skipped)").register(registry);
        registry.gauge("greenloop.preprocess.archive.lag.records", this, a -> a.lastLag);
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
            Outcome outcome = write(plan);
            commit(consumer, plan);
            state.finishPlan();
            return outcome;
        } catch (KafkaException e) {
            throw new PreprocessException(Kind.ARCHIVE_FAILED, "Kafka: " + e.getMessage(), e);
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
            return write(plan);
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
        return PlanSplitter.split(ranges, parallelism, config.minShareRecords());
    }

    /**
     * Archives the plan's pieces in parallel, each with its own consumer: decoding and encoding is
     * CPU work the cores can share, and the pieces ({@link PlanSplitter}) give every thread the
     * same number of records.
     */
    private Outcome write(List<ArchiveState.Range> plan) {
        List<List<ArchiveState.Range>> tasks = PlanSplitter.tasks(plan, parallelism);
        Map<String, Set<LocalDate>> days = new HashMap<>();
        long records = 0;
        long bytes = 0;
        if (!tasks.isEmpty()) {
            ExecutorService pool = Executors.newFixedThreadPool(Math.min(tasks.size(), parallelism));
            try {
                List<Future<List<Outcome>>> results = new ArrayList<>();
                for (List<ArchiveState.Range> task : tasks) {
                    results.add(pool.submit(() -> task.stream().map(this::writeRange).toList()));
                }
                for (Future<List<Outcome>> result : results) {
                    for (Outcome o : result.get()) {
                        records += o.records();
                        bytes += o.bytes();
                        o.days().forEach((g, set) -> days.computeIfAbsent(g, k -> new TreeSet<>()).addAll(set));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PreprocessException(Kind.ARCHIVE_FAILED, "interrupted while archiving", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof PreprocessException p) {
                    throw p;
                }
                throw new PreprocessException(Kind.ARCHIVE_FAILED, "archiving failed: " + e.getCause(), e.getCause());
            } finally {
                pool.shutdownNow();
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

    /** Files of one range: rows by greenhouse and UTC day. */
    private record FileKey(String greenhouse, long epochDay) {
    }

    private static String fileName(FileKey key, ArchiveState.Range range) {
        return "raw/greenhouse=" + key.greenhouse() + "/date=" + LocalDate.ofEpochDay(key.epochDay()) + "/part-"
                + range.partition() + "-" + range.start() + "-" + range.end() + ".parquet";
    }

    /**
     * Streams one range into one Parquet writer per greenhouse and day (temporary files), then
     * renames them. Rows are never held in memory beyond the writers' buffers.
     */
    private Outcome writeRange(ArchiveState.Range range) {
        Map<FileKey, OpenFile> files = new LinkedHashMap<>();
        try (KafkaConsumer<String, CloudEvent> consumer = consumer()) {
            long records = read(consumer, range, row -> {
                FileKey key = new FileKey(row.greenhouse(), Math.floorDiv(row.timestamp(), DAY_MILLIS));
                OpenFile file = files.get(key);
                if (file == null) {
                    file = open(hdfs.path(fileName(key, range)));
                    files.put(key, file);
                }
                file.write(row);
            });
            long bytes = 0;
            Map<String, Set<LocalDate>> days = new HashMap<>();
            for (Map.Entry<FileKey, OpenFile> file : files.entrySet()) {
                bytes += file.getValue().commit();
                days.computeIfAbsent(file.getKey().greenhouse(), g -> new TreeSet<>())
                        .add(LocalDate.ofEpochDay(file.getKey().epochDay()));
            }
            return new Outcome(days, records, bytes);
        } catch (KafkaException e) {
            throw new PreprocessException(Kind.ARCHIVE_FAILED, "Kafka: " + e.getMessage(), e);
        } finally {
            files.values().forEach(OpenFile::abandon);
        }
    }

    private long read(KafkaConsumer<String, CloudEvent> consumer, ArchiveState.Range range, Consumer<RawRow> rows) {
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
                decode(record, rows);
            }
        }
        return count;
    }

    private void decode(ConsumerRecord<String, CloudEvent> record, Consumer<RawRow> rows) {
        CloudEvent event = record.value();
        try {
            if (event == null || !EventTypes.SENSOR_READINGS.equals(event.getType()) || event.getData() == null) {
                throw EventException.unknownType(event == null ? null : event.getType());
            }
            // Decoded in full before any row is written, so a bad record leaves no half of itself.
            List<RawRow> decoded = new ArrayList<>(128);
            RawRowDecoder.decode(event.getData().toBytes(), event.getId(), record.partition(), record.offset(),
                    Extensions.isBackfill(event::getExtension), decoded::add);
            decoded.forEach(rows);
        } catch (EventException | IOException e) {
            poisonRecords.increment();
            LOG.warnf("Skipping %s-%d@%d: not a readings event (%s)", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
        }
    }

    private OpenFile open(Path target) {
        try {
            if (hdfs.fs().exists(target)) {
                LOG.debugf("%s exists from an earlier attempt; keeping it", target);
                return new OpenFile(target, null, null);
            }
            Path temporary = hdfs.path("_tmp/" + UUID.randomUUID() + ".parquet");
            return new OpenFile(target, temporary, new RawParquetWriter(temporary, hdfs.conf(),
                    Map.of("greenloop.source", config.topic())));
        } catch (IOException e) {
            throw new PreprocessException(Kind.ARCHIVE_FAILED, "opening " + target + ": " + e.getMessage(), e);
        }
    }

    /** A raw file being written under a temporary name; no writer when the file is complete already. */
    private final class OpenFile {
        private final Path target;
        private final Path temporary;
        private RawParquetWriter writer;
        private boolean done;

        OpenFile(Path target, Path temporary, RawParquetWriter writer) {
            this.target = target;
            this.temporary = temporary;
            this.writer = writer;
        }

        void write(RawRow row) {
            if (writer == null) {
                return;
            }
            try {
                writer.write(row);
            } catch (IOException e) {
                throw new PreprocessException(Kind.ARCHIVE_FAILED, "writing " + target + ": " + e.getMessage(), e);
            }
        }

        /** Closes and renames into place; the bytes written (0 if the file was complete already). */
        long commit() {
            done = true;
            if (writer == null) {
                return 0;
            }
            try {
                writer.close();
                writer = null;
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

        void abandon() {
            if (!done && writer != null) {
                try {
                    writer.close();
                    hdfs.fs().delete(temporary, false);
                } catch (IOException | RuntimeException ignored) {
                    // The next run clears temporary files.
                }
            }
        }
    }

    private void commit(KafkaConsumer<String, CloudEvent> consumer, List<ArchiveState.Range> plan) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ArchiveState.Range range : plan) {
            // A partition may be cut into several pieces: its offset is the end of the last one.
            offsets.merge(new TopicPartition(config.topic(), range.partition()), new OffsetAndMetadata(range.end()),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        consumer.commitSync(offsets, Duration.ofSeconds(30));
    }

    private KafkaConsumer<String, CloudEvent> consumer() {
        Map<String, Object> props = KafkaEvents.consumerConfig(config.bootstrapServers(), config.group(), kafkaSecurity);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "greenloop-archive-" + UUID.randomUUID().toString().substring(0, 8));
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        return new KafkaConsumer<>(props);
    }
}
