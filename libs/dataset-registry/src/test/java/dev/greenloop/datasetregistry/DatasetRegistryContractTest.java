package dev.greenloop.datasetregistry;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import dev.greenloop.events.payload.DatasetFile;
import dev.greenloop.events.payload.DatasetReady;
import dev.greenloop.testkit.mongo.MongoWireServer;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Both sides of the dataset registry against the real wire server: what preprocess registers is
 * what train-launcher finds, by id and as a greenhouse's newest, and a re-registration replaces.
 */
class DatasetRegistryContractTest {

    private static final Instant T0 = Instant.parse("2026-06-21T00:00:00Z");
    private static MongoClient client;
    private static MongoDatabase db;
    private static DatasetRegistry registry;

    @BeforeAll
    static void connect() {
        client = MongoClients.create(MongoWireServer.shared().connectionString());
        db = client.getDatabase("dataset-registry-" + UUID.randomUUID().toString().substring(0, 8));
        registry = new DatasetRegistry(db);
    }

    @AfterAll
    static void close() {
        client.close();
    }

    private static DatasetManifest manifest(String greenhouse, String id, Instant createdAt, DatasetManifest.LeftOut leftOut) {
        DatasetReady ready = new DatasetReady(id, greenhouse, "v1", T0.minusSeconds(2 * 86_400), T0, 2_880,
                List.of(new DatasetFile("/greenloop/features/v1/greenhouse=" + greenhouse + "/date=2026-06-19/part-0.parquet",
                                1_440, 52_431, "a".repeat(64)),
                        new DatasetFile("/greenloop/features/v1/greenhouse=" + greenhouse + "/date=2026-06-20/part-0.parquet",
                                1_440, 52_877, "b".repeat(64))));
        return new DatasetManifest(ready, List.of(LocalDate.parse("2026-06-19"), LocalDate.parse("2026-06-20")), 15,
                List.of("air_temperature_t+15m"), 30,
                new DatasetManifest.Coverage(2_880, Map.of("climate", 0L, "actuators", 12L), Map.of("vent_opening", 12L)),
                leftOut, "ev-" + id, createdAt);
    }

    @Test
    void trainLauncherFindsWhatPreprocessRegistered() {
        DatasetManifest written = manifest("gh-r1", "ds-r1-a", T0.plusSeconds(60),
                new DatasetManifest.LeftOut(3, 4_320, LocalDate.parse("2026-05-01"), LocalDate.parse("2026-05-03")));

        registry.register(written);

        assertThat(registry.find("ds-r1-a")).contains(written);
        assertThat(registry.find("ds-none")).isEmpty();
    }

    @Test
    void theNewestDatasetOfAGreenhouseIsItsLatestAndOtherGreenhousesDoNotCount() {
        registry.register(manifest("gh-r2", "ds-r2-old", T0.plusSeconds(60), null));
        registry.register(manifest("gh-r2", "ds-r2-new", T0.plusSeconds(3_600), null));
        registry.register(manifest("gh-r3", "ds-r3-newer", T0.plusSeconds(7_200), null));

        assertThat(registry.latest("gh-r2").map(DatasetManifest::id)).contains("ds-r2-new");
        assertThat(registry.latest("gh-none")).isEmpty();
    }

    @Test
    void registeringTheSameIdAgainReplacesIt() {
        registry.register(manifest("gh-r4", "ds-r4", T0.plusSeconds(60), null));
        DatasetManifest again = manifest("gh-r4", "ds-r4", T0.plusSeconds(120),
                new DatasetManifest.LeftOut(1, 25, LocalDate.parse("2026-05-11"), LocalDate.parse("2026-05-11")));

        registry.register(again);

        assertThat(registry.find("ds-r4")).contains(again);
        assertThat(db.getCollection(DatasetRegistry.COLLECTION).countDocuments(new Document("_id", "ds-r4"))).isEqualTo(1);
    }

    @Test
    void aManifestNeedsOneDayPerFile() {
        DatasetManifest valid = manifest("gh-r5", "ds-r5", T0, null);
        assertThatThrownBy(() -> new DatasetManifest(valid.dataset(), List.of(LocalDate.parse("2026-06-20")), 15,
                valid.targets(), 30, valid.coverage(), null, "ev", T0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one day per file");
    }
}
