package dev.greenloop.preprocess;

import dev.greenloop.events.Events;
import dev.greenloop.events.payload.FeatureWindow;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.features.FeatureCalculator;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.function.SinkClient;
import dev.greenloop.preprocess.store.WindowStore;
import dev.greenloop.preprocess.stream.StreamProcessor;
import dev.greenloop.testkit.quarkus.MongoResource;
import dev.greenloop.testkit.quarkus.OidcResource;
import dev.greenloop.testkit.sink.CapturingSink;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lookback cache against the real MongoDB-wire server: closed windows come from memory, and
 * a zone whose document another instance moved on is read again from MongoDB, so a window is
 * computed from what MongoDB holds, whoever wrote it.
 */
@QuarkusTest
@WithTestResource(value = OidcResource.class, initArgs = @ResourceArg(name = "audience", value = "greenloop-preprocess"))
@WithTestResource(MongoResource.class)
@WithTestResource(CapturingSink.class)
class LookbackCacheTest {

    static final long MIN = 60_000L;

    @Inject
    StreamProcessor processor;
    @Inject
    WindowStore store;
    @Inject
    PreprocessConfig config;
    @Inject
    SinkClient sink;
    @Inject
    MeterRegistry registry;
    @ConfigProperty(name = "greenloop.preprocess.mongodb.connection-string")
    String mongo;

    private final FeatureSpec spec = FeatureSpec.CURRENT;
    private final FeatureCalculator calculator = new FeatureCalculator(spec);

    @Test
    void aZoneAnotherInstanceMovedOnIsReadAgainAndOneLeftAsItWasComesFromTheCache() {
        String zone = "z-" + UUID.randomUUID().toString().substring(0, 8);
        String zoneKey = WindowStore.zoneKey("gh-s", zone);
        for (int m = 0; m < 20; m++) {
            processor.process(zone + "-" + m, Map.of(), minute(zone, m));
        }
        long closed = processor.lateness().lastClosedWindow(StreamingTest.T0 + 20 * MIN - 1);

        // A reading (plausible, not a spike) that reached a window this instance holds as closed:
        // another instance's write (the race ordered delivery excludes), which then moves the zone on.
        long tampered = closed - 5 * MIN;
        try (var client = MongoClients.create(mongo)) {
            assertThat(client.getDatabase(config.mongodb().database()).getCollection("windows").updateOne(
                    Filters.eq("_id", zoneKey + "/" + tampered), Updates.set("r.0:30000", 21.3)).getMatchedCount())
                    .as("the closed window's document").isEqualTo(1);
        }
        WindowStore otherStore = new WindowStore(config, registry);
        try {
            StreamProcessor other = new StreamProcessor(otherStore, sink, config, registry);
            assertThat(other.process(zone + "-20", Map.of(), minute(zone, 20))).hasSize(1);
        } finally {
            otherStore.close();
        }

        double fromCacheBefore = fromCache();
        List<CloudEvent> after = processor.process(zone + "-21", Map.of(), minute(zone, 21));
        assertThat(after).hasSize(1);
        assertThat(values(after.get(0))).as("the window after the zone moved on, against MongoDB alone")
                .containsExactlyElementsOf(fromMongoDbAlone(zoneKey, after.get(0)));
        assertThat(fromCache() - fromCacheBefore).as("windows taken from the cache once the zone was not as left").isZero();

        // Left as this instance wrote it: the closed windows of the next lookback come from memory.
        fromCacheBefore = fromCache();
        List<CloudEvent> next = processor.process(zone + "-22", Map.of(), minute(zone, 22));
        assertThat(next).hasSize(1);
        assertThat(fromCache() - fromCacheBefore).as("windows taken from the cache").isPositive();
        assertThat(values(next.get(0))).containsExactlyElementsOf(fromMongoDbAlone(zoneKey, next.get(0)));
    }

    /** One minute of readings (air temperature and humidity every 20 s), as one event. */
    private static ReadingsBatch minute(String zone, int m) {
        return StreamingTest.batch(zone, StreamingTest.T0 + m * MIN, 1);
    }

    private static List<Double> values(CloudEvent event) {
        return Events.payload(event, FeatureWindow.class).values();
    }

    private List<Double> fromMongoDbAlone(String zoneKey, CloudEvent event) {
        long start = Events.payload(event, FeatureWindow.class).windowStart().toEpochMilli();
        long from = start + spec.windowMillis() - spec.lookback().toMillis();
        return StreamingTest.boxed(calculator.compute(start, store.lookback(zoneKey, from, start).readings()));
    }

    private double fromCache() {
        return registry.get("greenloop.preprocess.lookback.windows").tag("source", "cache").counter().count();
    }
}
