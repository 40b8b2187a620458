package dev.greenloop.onlinestore;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import dev.greenloop.testkit.mongo.MongoWireServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Both sides of the online store against the real wire server: what the writer (preprocess)
 * stores is what the reader (control) gets, an older window never hides a newer one, and the
 * lineage of a window is the set of its reading events.
 */
class OnlineStoreContractTest {

    private static final Instant T0 = Instant.parse("2026-06-21T12:00:00Z");
    private static MongoClient client;
    private static OnlineStore store;

    @BeforeAll
    static void connect() {
        client = MongoClients.create(MongoWireServer.shared().connectionString());
        MongoDatabase db = client.getDatabase("online-store-" + UUID.randomUUID().toString().substring(0, 8));
        store = new OnlineStore(db);
    }

    @AfterAll
    static void close() {
        client.close();
    }

    private static OnlineVector vector(String zone, Instant start, double temperature) {
        return new OnlineVector("gh-c", zone, "win-" + zone + "-" + start.toEpochMilli(), start, start.plusSeconds(60), "v1",
                List.of("air_temperature_last", "co2_last", "vent_opening_last"), Arrays.asList(temperature, null, 12.5));
    }

    @Test
    void theReaderGetsWhatTheWriterStored() {
        OnlineVector written = vector("zone-1", T0, 21.5);

        assertThat(store.put(written)).isTrue();

        OnlineVector read = store.latest("gh-c", "zone-1").orElseThrow();
        assertThat(read).isEqualTo(written);
        assertThat(read.last("air_temperature")).contains(21.5);
        assertThat(read.last("co2")).as("a missing feature").isEmpty();
        assertThat(read.last("pipe_temperature")).as("a feature the vector lacks").isEmpty();
    }

    @Test
    void anOlderWindowNeverReplacesANewerOne() {
        store.put(vector("zone-2", T0.plusSeconds(120), 22.0));

        assertThat(store.put(vector("zone-2", T0.plusSeconds(60), 19.0))).isFalse();
        assertThat(store.put(vector("zone-2", T0.plusSeconds(120), 19.0))).as("the same window again").isFalse();
        assertThat(store.latest("gh-c", "zone-2").orElseThrow().last("air_temperature")).contains(22.0);

        assertThat(store.put(vector("zone-2", T0.plusSeconds(180), 23.0))).isTrue();
        assertThat(store.latest("gh-c", "zone-2").orElseThrow().windowStart()).isEqualTo(T0.plusSeconds(180));
    }

    @Test
    void zonesAreThoseOfTheGreenhouseWithAVector() {
        store.put(vector("zone-3", T0, 20.0));
        store.put(new OnlineVector("gh-other", "zone-9", "w", T0, T0.plusSeconds(60), "v1", List.of(), List.of()));

        assertThat(store.zones("gh-c")).contains("zone-3").doesNotContain("zone-9");
        assertThat(store.latest("gh-c", "zone-unknown")).isEmpty();
    }

    @Test
    void aWindowsLineageIsTheSetOfItsReadingEvents() {
        store.addWindowEvents("gh-c", "zone-4", T0.toEpochMilli(), List.of("e-1", "e-2"));
        store.addWindowEvents("gh-c", "zone-4", T0.toEpochMilli(), List.of("e-2", "e-3"));

        assertThat(store.readingEventIds("gh-c", "zone-4", T0)).containsExactlyInAnyOrder("e-1", "e-2", "e-3");
        assertThat(store.readingEventIds("gh-c", "zone-4", T0.plusSeconds(60))).isEmpty();
    }
}
