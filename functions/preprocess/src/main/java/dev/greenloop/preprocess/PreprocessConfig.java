package dev.greenloop.preprocess;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Configuration of preprocess, under {@code greenloop.preprocess}. Defaults run the embedded stack. */
@ConfigMapping(prefix = "greenloop.preprocess")
public interface PreprocessConfig {

    Mongodb mongodb();

    Stream stream();

    Sink sink();

    Archive archive();

    interface Mongodb {
        @WithDefault("mongodb://localhost:27017")
        String connectionString();

        @WithDefault("greenloop")
        String database();
    }

    interface Stream {
        /** How long after a window's end its readings may still arrive. */
        @WithDefault("2m")
        Duration allowedLateness();

        /**
         * Most windows one event may close. After a long gap, older windows are skipped (and
         * counted) rather than emitted in a burst.
         */
        @WithDefault("15")
        int maxWindowsPerEvent();

        /**
         * Zones whose closed lookback windows are kept in memory (about 130 KB per zone at 100
         * readings a minute), the least recently used forgotten first; 0 reads every lookback
         * from MongoDB.
         */
        @WithDefault("256")
        int lookbackCacheZones();
    }

    interface Sink {
        /** Where feature windows are posted: the {@code K_SINK} a SinkBinding injects (the Broker). */
        Optional<String> url();

        @WithDefault("4")
        int attempts();

        @WithDefault("200ms")
        Duration backoff();

        @WithDefault("5s")
        Duration timeout();
    }

    interface Archive {
        @WithDefault("localhost:9092")
        String bootstrapServers();

        @WithDefault("greenhouse.readings")
        String topic();

        /** The archive's own consumer group: its committed offsets are where the next run starts. */
        @WithDefault("greenloop-archive")
        String group();

        /** {@code fs.defaultFS} of the archive. */
        @WithDefault("hdfs://localhost:8020")
        String hdfsUri();

        /** Root of greenloop's files on HDFS: {@code raw/}, {@code features/v1/} below it. */
        @WithDefault("/greenloop")
        String root();

        /**
         * Days of feature files a dataset covers, counting back from the newest day. Older days stay
         * on HDFS; the manifest ({@code leftOut}), the log line of each dataset and the gauge
         * {@code greenloop_preprocess_dataset_days_left_out} say how many were left out.
         */
        @WithDefault("30")
        int datasetDays();

        /** Minutes ahead the dataset's targets look. */
        @WithDefault("15")
        int horizonMinutes();

        /** Extra Hadoop client settings ({@code dfs.replication}, ...). */
        java.util.Map<String, String> hadoop();

        /** Threads that archive at once; defaults to the number of processors. */
        Optional<Integer> parallelism();

        /**
         * The least records each thread gets before a pass cuts the partitions' ranges into pieces
         * that share the work evenly; a smaller backlog is written one file per partition (fewer,
         * larger files).
         */
        @WithDefault("2000")
        long minShareRecords();

        /**
         * How long the archive lease lasts unless renewed; a running archive renews it every
         * quarter of this, so a run that died frees it within one lease.
         */
        @WithDefault("2m")
        Duration lease();

        /**
         * The least time between the starts of two passes over the readings topic: pings spread
         * over the hour (one minute per greenhouse) share passes instead of each writing its own
         * small raw files; a request waits at most this long for its pass.
         */
        @WithDefault("10m")
        Duration minPassInterval();

        /** Wait before retrying a failed archive run; doubles with each further failure. */
        @WithDefault("1m")
        Duration retryDelay();

        /** Runs tried for one ping before waiting for the next. */
        @WithDefault("5")
        int attempts();

        /**
         * How long a day's feature file stays after a rebuild replaced it: datasets made before
         * still name it, and a training reading one must find it (longer than a training Job's
         * deadline).
         */
        @WithDefault("6h")
        Duration supersededRetention();
    }
}
