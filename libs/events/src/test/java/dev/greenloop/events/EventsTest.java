package dev.greenloop.events;

import dev.greenloop.events.payload.FeatureWindow;
import dev.greenloop.events.payload.Prediction;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.events.payload.TrainingRequested;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventsTest {

    private static final URI SOURCE = URI.create("/greenloop/preprocess");

    @Test
    void outgoingEventCarriesTypeSchemaAndLocationFromItsPayload() {
        CloudEvent event = Events.of(TestEvents.featureWindow()).id("w-1").source(SOURCE).build();

        assertThat(event.getType()).isEqualTo(EventTypes.FEATURES_WINDOW);
        assertThat(event.getDataSchema()).isEqualTo(EventType.FEATURES_WINDOW.dataSchema());
        assertThat(event.getDataContentType()).isEqualTo("application/json");
        assertThat(event.getExtension(Extensions.GREENHOUSE_ID)).isEqualTo(TestEvents.GREENHOUSE);
        assertThat(event.getExtension(Extensions.ZONE_ID)).isEqualTo(TestEvents.ZONE);
        assertThat(event.getExtension(Extensions.CAUSATION_ID)).isNull();
        assertThat(event.getExtension(Extensions.TRACEPARENT).toString())
                .matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
        assertThat(event.getTime()).isNotNull();
    }

    @Test
    void greenhouseWideEventHasNoZone() {
        CloudEvent event = Events.of(TestEvents.trainingRequested()).id("t-1").source(SOURCE).build();

        assertThat(event.getExtension(Extensions.GREENHOUSE_ID)).isEqualTo(TestEvents.GREENHOUSE);
        assertThat(event.getExtensionNames()).doesNotContain(Extensions.ZONE_ID);
    }

    @Test
    void causedByLinksToTheCauseAndKeepsItsTrace() {
        CloudEvent cause = CloudEventBuilder.v1(TestEvents.cloudEvent(TestEvents.featureWindow()))
                .withExtension(Extensions.TRACESTATE, "vendor=abc")
                .build();

        CloudEvent effect = Events.of(TestEvents.prediction()).id("p-1").source(SOURCE).causedBy(cause).build();

        assertThat(effect.getExtension(Extensions.CAUSATION_ID)).isEqualTo(cause.getId());
        assertThat(effect.getExtension(Extensions.TRACEPARENT)).isEqualTo(cause.getExtension(Extensions.TRACEPARENT));
        assertThat(effect.getExtension(Extensions.TRACESTATE)).isEqualTo("vendor=abc");
    }

    @Test
    void causedByAcceptsExtensionsAsAMap() {
        String parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        CloudEvent effect = Events.of(TestEvents.prediction()).id("p-1").source(SOURCE)
                .causedBy("window-7", Map.of(Extensions.TRACEPARENT, parent)).build();

        assertThat(effect.getExtension(Extensions.CAUSATION_ID)).isEqualTo("window-7");
        assertThat(effect.getExtension(Extensions.TRACEPARENT)).isEqualTo(parent);
    }

    @Test
    void inAProcessThatTracesTheCurrentSpanContinuesTheCausesTrace() {
        String cause = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        String hop = "00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01";
        try {
            Events.traceWith(() -> hop);
            CloudEvent traced = Events.of(TestEvents.prediction()).id("p-1").source(SOURCE)
                    .causedBy("window-7", Map.of(Extensions.TRACEPARENT, cause)).build();
            Events.traceWith(() -> null);
            CloudEvent outsideASpan = Events.of(TestEvents.prediction()).id("p-2").source(SOURCE)
                    .causedBy("window-7", Map.of(Extensions.TRACEPARENT, cause)).build();
            Events.traceWith(() -> "not-a-traceparent");
            CloudEvent invalid = Events.of(TestEvents.prediction()).id("p-3").source(SOURCE)
                    .causedBy("window-7", Map.of(Extensions.TRACEPARENT, cause)).build();

            assertThat(traced.getExtension(Extensions.TRACEPARENT)).isEqualTo(hop);
            assertThat(outsideASpan.getExtension(Extensions.TRACEPARENT)).isEqualTo(cause);
            assertThat(invalid.getExtension(Extensions.TRACEPARENT)).isEqualTo(cause);
        } finally {
            Events.traceWith(() -> null);
        }
    }

    @Test
    void derivedIdsAreStableAndDistinct() {
        String a = Events.derivedId("window", "zone-a", "2026-06-21T12:00:00Z");

        assertThat(Events.derivedId("window", "zone-a", "2026-06-21T12:00:00Z")).isEqualTo(a);
        assertThat(Events.derivedId("window", "zone-b", "2026-06-21T12:00:00Z")).isNotEqualTo(a);
        // The separator keeps ("ab","c") and ("a","bc") apart.
        assertThat(Events.derivedId("ab", "c")).isNotEqualTo(Events.derivedId("a", "bc"));
        assertThat(a).matches("[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    }

    @Test
    void payloadReadsAndValidatesTheData() {
        CloudEvent event = TestEvents.cloudEvent(TestEvents.readingsBatch());

        ReadingsBatch batch = Events.payload(event, ReadingsBatch.class);

        assertThat(batch).isEqualTo(TestEvents.readingsBatch());
    }

    @Test
    void payloadRefusesAnEventOfAnotherType() {
        CloudEvent event = TestEvents.cloudEvent(TestEvents.featureWindow());

        assertThatThrownBy(() -> Events.payload(event, Prediction.class))
                .isInstanceOfSatisfying(EventException.class, e ->
                        assertThat(e.kind()).isEqualTo(EventException.Kind.INVALID_ATTRIBUTE))
                .hasMessageContaining(EventTypes.PREDICTION);
    }

    @Test
    void payloadRefusesUnknownTypesMissingDataAndOtherContentTypes() {
        CloudEvent unknown = CloudEventBuilder.v1().withId("1").withSource(SOURCE).withType("com.example.other").build();
        CloudEvent noData = CloudEventBuilder.v1().withId("1").withSource(SOURCE).withType(EventTypes.TRAINING_REQUESTED).build();
        CloudEvent xml = CloudEventBuilder.v1().withId("1").withSource(SOURCE).withType(EventTypes.TRAINING_REQUESTED)
                .withDataContentType("application/xml").withData("<a/>".getBytes(StandardCharsets.UTF_8)).build();

        assertThatThrownBy(() -> Events.payload(unknown, TrainingRequested.class))
                .isInstanceOfSatisfying(EventException.class, e -> assertThat(e.kind()).isEqualTo(EventException.Kind.UNKNOWN_TYPE));
        assertThatThrownBy(() -> Events.payload(noData, TrainingRequested.class))
                .isInstanceOfSatisfying(EventException.class, e -> assertThat(e.kind()).isEqualTo(EventException.Kind.INVALID_ATTRIBUTE))
                .hasMessageContaining("data");
        assertThatThrownBy(() -> Events.payload(xml, TrainingRequested.class))
                .isInstanceOfSatisfying(EventException.class, e -> assertThat(e.kind()).isEqualTo(EventException.Kind.INVALID_ATTRIBUTE))
                .hasMessageContaining("application/xml");
    }

    @Test
    void buildingWithoutIdOrSourceFails() {
        FeatureWindow window = TestEvents.featureWindow();

        assertThatThrownBy(() -> Events.of(window).source(SOURCE).build()).hasMessageContaining("id");
        assertThatThrownBy(() -> Events.of(window).id("x").build()).hasMessageContaining("source");
    }

    @Test
    void readingIdsDependOnDeviceSensorAndTimeOnly() {
        var batch = TestEvents.readingsBatch();
        var first = batch.readings().get(0);
        var resent = new dev.greenloop.events.payload.Reading(first.sensor(), first.value() + 1, first.unit(), first.timestamp());

        assertThat(batch.readingId(resent)).isEqualTo(batch.readingId(first));
        assertThat(batch.readingId(batch.readings().get(1))).isNotEqualTo(batch.readingId(first));
        assertThat(batch.actuatorStateId(batch.actuators().get(0))).isNotEqualTo(batch.readingId(first));
    }

    @Test
    void requestTraceparentIsContinuedWhenValid() {
        String parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        CloudEvent continued = Events.of(TestEvents.readingsBatch()).id("r-1").source(SOURCE).traceparent(parent).build();
        CloudEvent fresh = Events.of(TestEvents.readingsBatch()).id("r-2").source(SOURCE).traceparent("garbage").build();

        assertThat(continued.getExtension(Extensions.TRACEPARENT)).isEqualTo(parent);
        assertThat(fresh.getExtension(Extensions.TRACEPARENT).toString()).isNotEqualTo("garbage")
                .matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
    }
}
