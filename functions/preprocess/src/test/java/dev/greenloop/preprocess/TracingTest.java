package dev.greenloop.preprocess;

import dev.greenloop.events.Extensions;
import dev.greenloop.testkit.otlp.OtlpReceiver;
import dev.greenloop.testkit.quarkus.MongoResource;
import dev.greenloop.testkit.quarkus.OidcResource;
import dev.greenloop.testkit.quarkus.OtlpResource;
import dev.greenloop.testkit.sink.CapturingSink;
import io.cloudevents.CloudEvent;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With tracing's one setting, a hop continues the incoming event's trace with a span of its own
 * (the request's, a child of the event's {@code ce-traceparent}) and what it emits carries that
 * span: the window preprocess posts is the child of its readings' span, and the span is exported
 * over OTLP (to a real OTLP/HTTP receiver), parent to child.
 */
@QuarkusTest
@TestProfile(TracingTest.Traced.class)
@WithTestResource(value = OidcResource.class, initArgs = @ResourceArg(name = "audience", value = "greenloop-preprocess"))
@WithTestResource(MongoResource.class)
@WithTestResource(CapturingSink.class)
@WithTestResource(OtlpResource.class)
class TracingTest {

    /** Its own application (the receiver's endpoint), nothing else changed. */
    public static class Traced implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("greenloop.preprocess.mongodb.database", "preprocess-tracing");
        }
    }

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT = "00f067aa0ba902b7";

    @Test
    void theWindowCarriesThisHopsSpanAChildOfTheReadingsAndTheSpanIsExported() throws InterruptedException {
        String zone = "z-" + UUID.randomUUID().toString().substring(0, 8);
        String id = UUID.randomUUID().toString();

        assertThat(StreamingTest.deliver(id, StreamingTest.batch(zone, StreamingTest.T0, 5),
                "00-" + TRACE + "-" + PARENT + "-01").statusCode()).isEqualTo(204);

        List<CloudEvent> windows = CapturingSink.receivedFor("gh-s", zone);
        assertThat(windows).isNotEmpty();
        String traceparent = (String) windows.get(0).getExtension(Extensions.TRACEPARENT);
        String[] parts = traceparent.split("-");
        assertThat(parts[1]).as("the readings' trace").isEqualTo(TRACE);
        assertThat(parts[2]).as("this hop's span, not the readings'").isNotEqualTo(PARENT);
        assertThat(windows).allSatisfy(w -> assertThat(w.getExtension(Extensions.TRACEPARENT)).isEqualTo(traceparent));

        OtlpReceiver receiver = OtlpResource.receiver();
        Optional<OtlpReceiver.ReceivedSpan> hop = Optional.empty();
        for (int i = 0; i < 200 && hop.isEmpty(); i++) {
            hop = receiver.trace(TRACE).stream().filter(s -> s.spanId().equals(parts[2])).findFirst();
            if (hop.isEmpty()) {
                Thread.sleep(100);
            }
        }
        assertThat(hop).as("the hop's span, exported over OTLP").isPresent();
        assertThat(hop.get().service()).isEqualTo("greenloop-preprocess");
        assertThat(hop.get().parentSpanId()).as("a child of the readings' span").isEqualTo(PARENT);
        assertThat(hop.get().name()).isEqualTo("POST /");
        assertThat(hop.get().kind()).as("the request's span is the hop's").isEqualTo("SPAN_KIND_SERVER");
        assertThat(hop.get().attributes()).containsEntry("cloudevents.event_id", id)
                .containsEntry("cloudevents.event_type", "dev.greenloop.sensor.readings.v1");
        // One span for the hop: no other span of this request was started outside the trace.
        assertThat(receiver.spans()).filteredOn(s -> s.attributes().containsValue(id)).hasSize(1);
    }
}
