package dev.greenloop.preprocess.archive;

import com.mongodb.client.MongoClient;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import dev.greenloop.clients.MongoConnections;
import dev.greenloop.clients.Settings;
import dev.greenloop.preprocess.PreprocessConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.Document;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/** Lets tests leave what a process that died mid-archive leaves, and start the worker as a new process would. */
@ApplicationScoped
public class ArchiveWorkerAccess {

    private final PreprocessConfig config;

    public ArchiveWorkerAccess(PreprocessConfig config) {
        this.config = config;
    }

    /** The archive lease, held by a process that is gone, for {@code more} from now. */
    public void holdLeaseAsADeadProcess(Duration more) {
        try (MongoClient client = MongoConnections.create(config.mongodb().connectionString(), Settings.fromConfig())) {
            client.getDatabase(config.mongodb().database()).getCollection("archive_lock").replaceOne(Filters.eq("_id", "archive"),
                    new Document("_id", "archive").append("owner", "a-process-that-died")
                            .append("until", Date.from(Instant.now().plus(more))), new ReplaceOptions().upsert(true));
        }
    }

    /**
     * A second pod's worker: its own {@link ArchiveState} (its own lease owner and MongoDB client)
     * over the same stores, sharing this instance's steps and sink.
     */
    public ArchiveWorker secondPod(ArchiveService service, dev.greenloop.function.SinkClient sink,
                                   io.micrometer.core.instrument.MeterRegistry registry, Duration minPassInterval) {
        return new ArchiveWorker(new ArchiveState(config, java.time.Clock.systemUTC()), service, sink, config, registry,
                java.time.Clock.systemUTC(), minPassInterval);
    }

    /** Stops a worker made by {@link #secondPod}. */
    public static void stop(ArchiveWorker worker) {
        worker.stop();
    }

    /** What a start of preprocess does: resume unfinished requests. */
    public static void restart(ArchiveWorker worker) {
        worker.onStart(null);
    }
}
