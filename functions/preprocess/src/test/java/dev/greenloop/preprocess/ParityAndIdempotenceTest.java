package dev.greenloop.preprocess;

import io.quarkus.test.common.ResourceArg;
import dev.greenloop.testkit.quarkus.OidcResource;
import dev.greenloop.events.Events;
import dev.greenloop.events.payload.FeatureWindow;
import dev.greenloop.events.payload.Reading;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.features.FeatureCalculator;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.features.OfflineFeatures;
import dev.greenloop.features.RawReading;
import dev.greenloop.features.ZoneStreams;
import dev.greenloop.preprocess.stream.StreamProcessor;
import dev.greenloop.testkit.quarkus.MongoResource;
import dev.greenloop.testkit.sink.CapturingSink;
import io.cloudevents.CloudEvent;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties over generated streams with gaps, duplicates, resends and disorder (one zone per
 * seed; a failing seed reproduces):
 * <ul>
 *   <li>parity: every window the streaming path emits equals the offline computation for it;</li>
 *   <li>idempotence: delivering every event twice emits the same windows, with the same ids and
 *       values, as delivering it once.</li>
 * </ul>
 */
@QuarkusTest
@WithTestResource(value = OidcResource.class, initArgs = @ResourceArg(name = "audience", value = "greenloop-preprocess"))
@WithTestResource(MongoResource.class)
@WithTestResource(CapturingSink.class)
class ParityAndIdempotenceTest {

    static final long T0 = Instant.parse("2026-06-21T06:00:00Z").toEpochMilli();

    @Inject
    StreamProcessor processor;

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 12);
    }

    private static ReadingsBatch batch(String zone, List<RawReading> readings) {
        return new ReadingsBatch("gh-p", zone, "dev-1", readings.stream()
                .map(r -> new Reading(r.signal().sensor(), r.value(), r.signal().sensor().canonicalUnit(), r.timestamp()))
                .toList(), List.of());
    }

    private List<CloudEvent> run(String zone, List<List<RawReading>> events, boolean twice) {
        List<CloudEvent> emitted = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            ReadingsBatch batch = batch(zone, events.get(i));
            String id = zone + "-e" + i;
            emitted.addAll(processor.process(id, Map.of(), batch));
            if (twice) {
                emitted.addAll(processor.process(id, Map.of(), batch));
            }
        }
        return emitted;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void streamingEqualsOfflineAndRedeliveryChangesNothing(long seed) {
        List<List<RawReading>> events = ZoneStreams.events(new Random(seed), T0, T0 + 150 * 60_000L, 900);

        List<CloudEvent> once = run("once-" + seed, events, false);
        List<CloudEvent> twice = run("twice-" + seed, events, true);

        assertThat(once).isNotEmpty();
        OfflineFeatures offline = new OfflineFeatures(new FeatureCalculator(FeatureSpec.CURRENT), processor.lateness());
        List<RawReading> counted = offline.counted(events);
        for (CloudEvent event : once) {
            FeatureWindow window = Events.payload(event, FeatureWindow.class);
            long start = window.windowStart().toEpochMilli();
            List<OfflineFeatures.Row> rows = offline.table(counted, start, start + 60_000L, 15);
            assertThat(rows).as("offline row for %s", window.windowId()).hasSize(1);
            assertThat(window.values()).as("window %s", window.windowId())
                    .containsExactlyElementsOf(StreamingTest.boxed(rows.get(0).features()));
        }
        assertThat(twice).extracting(e -> Events.payload(e, FeatureWindow.class).values())
                .containsExactlyElementsOf(once.stream().map(e -> Events.payload(e, FeatureWindow.class).values()).toList());
        assertThat(twice).extracting(e -> Events.payload(e, FeatureWindow.class).windowStart())
                .doesNotHaveDuplicates()
                .containsExactlyElementsOf(once.stream().map(e -> Events.payload(e, FeatureWindow.class).windowStart()).toList());
    }
}
