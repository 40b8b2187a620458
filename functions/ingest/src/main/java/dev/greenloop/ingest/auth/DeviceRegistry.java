package dev.greenloop.ingest.auth;

import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Updates;
import dev.greenloop.clients.MongoConnections;
import dev.greenloop.clients.Settings;
import dev.greenloop.ingest.IngestConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.bson.Document;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Registered devices, in the MongoDB collection {@code devices}:
 * {@code {_id: deviceId, greenhouseId, zones, backfill, tokenHash, registeredAt, revokedAt}}. A unique
 * index on {@code tokenHash} makes a token identify exactly one device. Blocking (MongoDB
 * driver); call from worker threads.
 */
@ApplicationScoped
public class DeviceRegistry {

    private static final Logger LOG = Logger.getLogger(DeviceRegistry.class);
    static final String COLLECTION = "devices";

    private final IngestConfig config;
    private final MongoClient client;
    private final MongoCollection<Document> devices;
    private final java.time.Clock clock;
    private volatile boolean indexed;

    public DeviceRegistry(IngestConfig config, java.time.Clock clock) {
        this.config = config;
        this.clock = clock;
        this.client = MongoConnections.create(config.mongodb().connectionString(), Settings.fromConfig());
        this.devices = client.getDatabase(config.mongodb().database()).getCollection(COLLECTION);
    }

    void onStart(@Observes StartupEvent start) {
        try {
            ensureIndexes();
            config.auth().bootstrapDevice().ifPresent(d -> {
                boolean backfill = d.backfill().orElse(false);
                register(new Device(d.id(), d.greenhouse(), d.zones(), backfill), d.token());
                LOG.infof("Bootstrap device %s registered for greenhouse %s, zones %s%s", d.id(), d.greenhouse(), d.zones(),
                        backfill ? ", may backfill" : "");
            });
        } catch (MongoException e) {
            // Ingest still starts; readiness reports MongoDB and the index is retried on first use.
            LOG.warnf("MongoDB not reachable at start (%s); device lookups will retry", e.getMessage());
        }
    }

    /** The device holding {@code tokenHash}, unless unknown or revoked. */
    public Optional<Device> findByTokenHash(String tokenHash) {
        ensureIndexes();
        Document doc = devices.find(Filters.and(Filters.eq("tokenHash", tokenHash), Filters.exists("revokedAt", false)))
                .first();
        return Optional.ofNullable(doc).map(DeviceRegistry::toDevice);
    }

    /** Registers {@code device} with {@code token}, replacing its previous token if it had one. */
    public void register(Device device, String token) {
        ensureIndexes();
        Document doc = new Document("_id", device.id())
                .append("greenhouseId", device.greenhouseId())
                .append("zones", device.zones())
                .append("backfill", device.mayBackfill())
                .append("tokenHash", Tokens.hash(token))
                .append("registeredAt", java.util.Date.from(Instant.now(clock)));
        devices.replaceOne(Filters.eq("_id", device.id()), doc, new ReplaceOptions().upsert(true));
    }

    /** Revokes the device's token; returns false if there is no such device. */
    public boolean revoke(String deviceId) {
        ensureIndexes();
        // The hash is replaced rather than removed: the unique index admits one missing value only.
        return devices.updateOne(Filters.eq("_id", deviceId), Updates.combine(
                Updates.set("tokenHash", "revoked:" + deviceId),
                Updates.set("revokedAt", java.util.Date.from(Instant.now(clock))))).getMatchedCount() > 0;
    }

    /** Round trip to MongoDB, for readiness. */
    public void ping() {
        client.getDatabase(config.mongodb().database()).runCommand(new Document("ping", 1));
    }

    private void ensureIndexes() {
        if (!indexed) {
            devices.createIndex(Indexes.ascending("tokenHash"), new IndexOptions().unique(true).name("tokenHash_unique"));
            indexed = true;
        }
    }

    @SuppressWarnings("unchecked")
    private static Device toDevice(Document doc) {
        return new Device(doc.getString("_id"), doc.getString("greenhouseId"), (List<String>) doc.get("zones"),
                Boolean.TRUE.equals(doc.getBoolean("backfill")));
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
