package dev.greenloop.preprocess;

import io.quarkus.test.common.ResourceArg;
import dev.greenloop.testkit.oidc.SenderTokens;
import dev.greenloop.testkit.quarkus.OidcResource;
import dev.greenloop.events.Events;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.Extensions;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.FeatureWindow;
import dev.greenloop.events.payload.Reading;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.events.payload.SensorKind;
import dev.greenloop.features.FeatureCalculator;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.features.RawReading;
import dev.greenloop.onlinestore.OnlineVector;
import dev.greenloop.preprocess.store.WindowStore;
import dev.greenloop.preprocess.store.ZoneState;
import dev.greenloop.testkit.quarkus.MongoResource;
import dev.greenloop.testkit.sink.CapturingSink;
import io.cloudevents.CloudEvent;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** The streaming path through Funqy's CloudEvent endpoint, against the real MongoDB-wire server. */
@QuarkusTest
@WithTestResource(value = OidcResource.class, initArgs = @ResourceArg(name = "audience", value = "greenloop-preprocess"))
@WithTestResource(MongoResource.class)
@WithTestResource(CapturingSink.class)
class StreamingTest {

    static final long T0 = Instant.parse("2026-06-21T10:00:00Z").toEpochMilli();
    static final long MIN = 60_000L;

    @Inject
    WindowStore store;

    static ReadingsBatch batch(String zone, long from, int minutes) {
        List<Reading> readings = new ArrayList<>();
        for (int m = 0; m < minutes; m++) {
            for (int s = 0; s < 60; s += 20) {
                Instant t = Instant.ofEpochMilli(from + m * MIN + s * 1000L);
                readings.add(new Reading(SensorKind.AIR_TEMPERATURE, 21 + m * 0.05, "degC", t));
                readings.add(new Reading(SensorKind.RELATIVE_HUMIDITY, 70 + m * 0.1, "%", t));
            }
        }
        return new ReadingsBatch("gh-s", zone, "climate-1", readings, List.of());
    }

    static ExtractableResponse<Response> deliver(String id, ReadingsBatch batch) {
        return deliver(id, batch, "00-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-bbbbbbbbbbbbbbbb-01");
    }

    static ExtractableResponse<Response> deliver(String id, ReadingsBatch batch, String traceparent) {
        return given().header("ce-specversion", "1.0").header("ce-id", id).header("ce-source", "/greenloop/ingest")
                .header("ce-type", EventTypes.SENSOR_READINGS).header("ce-greenhouseid", batch.greenhouseId())
                .header("ce-zoneid", batch.zoneId())
                .header("ce-traceparent", traceparent)
                .contentType("application/json").body(PayloadCodec.write(batch)).post("/").then().extract();
    }

    @Test
    void closedWindowsAreEmittedToTheSinkWithLineageAndKeptOnline() {
        String zone = "z-" + UUID.randomUUID().toString().substring(0, 8);
        String first = UUID.randomUUID().toString();
        String second = UUID.randomUUID().toString();

        assertThat(deliver(first, batch(zone, T0, 5)).statusCode()).isEqualTo(204);
        assertThat(deliver(second, batch(zone, T0 + 5 * MIN, 5)).statusCode()).isEqualTo(204);

        // Watermark 10:09:40, lateness 2 min: windows up to 10:06 have closed.
        List<CloudEvent> windows = CapturingSink.receivedFor("gh-s", zone);
        assertThat(windows).extracting(CloudEvent::getType).containsOnly(EventTypes.FEATURES_WINDOW);
        List<FeatureWindow> payloads = windows.stream().map(e -> Events.payload(e, FeatureWindow.class)).toList();
        assertThat(payloads).extracting(w -> w.windowStart().toEpochMilli())
                .containsExactly(T0, T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN, T0 + 4 * MIN, T0 + 5 * MIN, T0 + 6 * MIN);
        CloudEvent last = windows.get(windows.size() - 1);
        assertThat(last.getExtension(Extensions.CAUSATION_ID)).isEqualTo(second);
        assertThat(last.getExtension(Extensions.TRACEPARENT)).isEqualTo("00-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-bbbbbbbbbbbbbbbb-01");
        assertThat(payloads.get(0).sourceEventIds()).containsExactly(first);
        assertThat(payloads.get(6).sourceEventIds()).containsExactly(second);
        assertThat(payloads.get(0).windowId()).isEqualTo("gh-s:" + zone + ":20260621T1000");

        FeatureCalculator calculator = new FeatureCalculator(FeatureSpec.CURRENT);
        List<RawReading> all = new ArrayList<>();
        batch(zone, T0, 5).readings().forEach(r -> all.add(RawReading.of(r)));
        batch(zone, T0 + 5 * MIN, 5).readings().forEach(r -> all.add(RawReading.of(r)));
        double[] expected = calculator.compute(T0 + 6 * MIN, all);
        assertThat(payloads.get(6).values()).containsExactlyElementsOf(boxed(expected));

        // What control reads, through the online store's contract.
        OnlineVector online = store.onlineStore().latest("gh-s", zone).orElseThrow();
        assertThat(online.windowId()).isEqualTo(payloads.get(6).windowId());
        assertThat(online.values()).containsExactlyElementsOf(boxed(expected));
    }

    @Test
    void backfilledReadingsAreLeftToTheArchiveAndDoNotMoveTheZone() {
        String zone = "z-" + UUID.randomUUID().toString().substring(0, 8);
        deliver(UUID.randomUUID().toString(), batch(zone, T0, 5));
        int before = CapturingSink.receivedFor("gh-s", zone).size();
        ZoneState zoneBefore = store.state(WindowStore.zoneKey("gh-s", zone));

        ReadingsBatch history = batch(zone, T0 + 30 * MIN, 10);
        ExtractableResponse<Response> response = given().header("ce-specversion", "1.0")
                .header("ce-id", UUID.randomUUID().toString()).header("ce-source", "/greenloop/ingest")
                .header("ce-type", EventTypes.SENSOR_READINGS).header("ce-backfill", "true")
                .contentType("application/json").body(PayloadCodec.write(history)).post("/").then().extract();

        assertThat(response.statusCode()).isEqualTo(204);
        // Live, these readings would have closed windows up to 10:37; marked backfill they close none.
        assertThat(CapturingSink.receivedFor("gh-s", zone)).hasSize(before);
        assertThat(store.state(WindowStore.zoneKey("gh-s", zone))).isEqualTo(zoneBefore);
        assertThat(store.lookback(WindowStore.zoneKey("gh-s", zone), T0 + 30 * MIN, T0 + 35 * MIN).readings()).isEmpty();
    }

    /** Readings reach the zone's state only from a sender with a valid OIDC token for preprocess's audience. */
    @Test
    void onlyASenderWithAValidTokenIsProcessed() {
        for (SenderTokens.Sender sender : SenderTokens.forAudience("greenloop-preprocess")) {
            String zone = "z-" + UUID.randomUUID().toString().substring(0, 8);
            var request = given().header("ce-specversion", "1.0").header("ce-id", UUID.randomUUID().toString())
                    .header("ce-source", "/greenloop/ingest").header("ce-type", EventTypes.SENSOR_READINGS)
                    .contentType("application/json").body(PayloadCodec.write(batch(zone, T0, 5)));
            request = sender.authorization() == null ? request.header(OidcResource.NO_TOKEN, "1")
                    : request.header("Authorization", sender.authorization());

            int status = request.post("/").then().extract().statusCode();

            assertThat(status).as(sender.name()).isEqualTo(sender.valid() ? 204 : 401);
            assertThat(store.state(WindowStore.zoneKey("gh-s", zone)).watermark() != Long.MIN_VALUE).as(sender.name())
                    .isEqualTo(sender.valid());
        }
    }

    @Test
    void invalidEventIsRefusedWith400AndAReason() {
        ExtractableResponse<Response> response = given().header("ce-specversion", "1.0").header("ce-id", "bad-1")
                .header("ce-source", "/x").header("ce-type", EventTypes.SENSOR_READINGS).contentType("application/json")
                .body("{\"greenhouseId\":\"gh-s\",\"zoneId\":\"z\",\"deviceId\":\"d\",\"readings\":[{\"sensor\":\"co2\"}]}")
                .post("/").then().extract();

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.jsonPath().getString("detail")).contains("/readings/0/value");
    }

    @Test
    void sinkOutageIsA503AndTheRedeliveryEmitsTheWindow() {
        String zone = "z-" + UUID.randomUUID().toString().substring(0, 8);
        String id = UUID.randomUUID().toString();
        deliver(UUID.randomUUID().toString(), batch(zone, T0, 3));

        CapturingSink.refuseNext(100);
        ExtractableResponse<Response> refused = deliver(id, batch(zone, T0 + 3 * MIN, 3));
        CapturingSink.refuseNext(0);
        ExtractableResponse<Response> redelivered = deliver(id, batch(zone, T0 + 3 * MIN, 3));

        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.jsonPath().getString("detail")).contains("did not take event");
        assertThat(redelivered.statusCode()).isEqualTo(204);
        // Watermark 10:05:40: windows up to 10:02 have closed.
        assertThat(CapturingSink.receivedFor("gh-s", zone)).extracting(e -> Events.payload(e, FeatureWindow.class).windowStart().toEpochMilli())
                .containsExactly(T0, T0 + MIN, T0 + 2 * MIN);
    }

    static List<Double> boxed(double[] vector) {
        List<Double> out = new ArrayList<>();
        for (double v : vector) {
            out.add(Double.isNaN(v) ? null : v);
        }
        return out;
    }
}
