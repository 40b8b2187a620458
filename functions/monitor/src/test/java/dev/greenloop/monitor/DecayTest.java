package dev.greenloop.monitor;

import dev.greenloop.events.EventType;
import dev.greenloop.events.EventTypes;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.DriftDetected;
import dev.greenloop.events.payload.FeatureWindow;
import dev.greenloop.events.payload.Prediction;
import dev.greenloop.testkit.mlflow.MlflowServer;
import dev.greenloop.testkit.quarkus.MlflowResource;
import dev.greenloop.testkit.quarkus.MongoResource;
import dev.greenloop.testkit.quarkus.OidcResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static dev.greenloop.monitor.MonitorTesting.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Decay becomes exactly one {@code drift.detected} within the cooldown: a champion worse than
 * persistence for two hours, and features that left the training profile; a champion that keeps
 * to its profile and beats persistence raises nothing.
 */
@QuarkusTest
@TestProfile(MonitorTestProfile.class)
@WithTestResource(value = OidcResource.class, initArgs = @ResourceArg(name = "audience", value = "greenloop-monitor"))
@WithTestResource(MongoResource.class)
@WithTestResource(MlflowResource.class)
class DecayTest {

    private static final Instant T0 = Instant.parse("2026-06-21T10:00:00Z");
    private static final String PROFILE = "{\"featureSpecVersion\":\"v1\",\"features\":{\"air_temperature_last\":"
            + "{\"edges\":[19.0,21.0],\"shares\":[0.25,0.5,0.25],\"missingShare\":0.0}},"
            + "\"importances\":{\"air_temperature_last\":1.0}}";

    /** Windows every 5 minutes from T0 - 15 min to T0 + 2 h 5 min; each champion prediction misses by {@code error}. */
    private static void hoursOf(String gh, String version, java.util.function.IntFunction<Double> last, double error) {
        for (int k = -3; k <= 25; k++) {
            double value = last.apply(k);
            FeatureWindow w = window(gh, "zone-1", T0.plusSeconds(300L * k), value, value);
            assertThat(send(w).statusCode()).isEqualTo(204);
            Prediction p = prediction(w, version, false, last.apply(k + 3) + error);
            assertThat(send(p).statusCode()).isEqualTo(204);
        }
    }

    private static DriftDetected decay(ExtractableResponse<Response> reply) {
        assertThat(reply.statusCode()).as(reply.asString()).isEqualTo(200);
        assertThat(reply.header("ce-type")).isEqualTo(EventTypes.DRIFT_DETECTED);
        return PayloadCodec.read(EventType.DRIFT_DETECTED, reply.asByteArray());
    }

    @Test
    void aChampionWorseThanPersistenceForTwoHoursIsAnnouncedOnceWithinTheCooldown() {
        String gh = "gh-decay-" + UUID.randomUUID().toString().substring(0, 6);
        // The temperature alternates by 1 °C: persistence misses by 1, the champion by 3.
        hoursOf(gh, "7", k -> 20.0 + Math.floorMod(k, 2), 3.0);

        ExtractableResponse<Response> first = check(gh, T0.plusSeconds(7_500));
        DriftDetected d = decay(first);
        assertThat(d.metric()).isEqualTo("accuracy_ratio:zone-1/air_temperature_15m");
        assertThat(d.value()).isEqualTo(3.0);
        assertThat(d.threshold()).isEqualTo(1.0);
        assertThat(d.modelVersion()).isEqualTo("7");
        assertThat(d.zoneId()).isEqualTo("zone-1");
        assertThat(d.from()).isEqualTo(T0);
        assertThat(d.to()).isEqualTo(T0.plusSeconds(7_200));

        // Twenty minutes later, still bad, but within the six-hour cooldown.
        send(window(gh, "zone-1", T0.plusSeconds(8_700), 21.0, 21.0));
        assertThat(check(gh, T0.plusSeconds(8_700)).statusCode()).as("within the cooldown").isEqualTo(204);
        assertThat(check(gh, T0.plusSeconds(7_500)).statusCode()).as("the same check redelivered").isEqualTo(204);
    }

    @Test
    void featuresThatLeftTheTrainingProfileAreAnnounced() throws Exception {
        String gh = "gh-drift-" + UUID.randomUUID().toString().substring(0, 6);
        String version = TestModels.register(MlflowServer.shared().trackingUri(), "greenloop-" + gh, PROFILE);
        // Trained between 19 and 21 °C, now at 30: the champion still beats persistence.
        hoursOf(gh, version, k -> 30.0 + Math.floorMod(k, 2), 0.0);

        DriftDetected d = decay(check(gh, T0.plusSeconds(7_500)));

        assertThat(d.metric()).isEqualTo("psi:air_temperature_last");
        assertThat(d.value()).isGreaterThan(0.25);
        assertThat(d.zoneId()).isNull();
    }

    @Test
    void aChampionThatKeepsToItsProfileAndBeatsPersistenceRaisesNothing() throws Exception {
        String gh = "gh-quiet-" + UUID.randomUUID().toString().substring(0, 6);
        String version = TestModels.register(MlflowServer.shared().trackingUri(), "greenloop-" + gh, PROFILE);
        List<Double> cycle = List.of(18.5, 20.0, 20.5, 21.5);
        hoursOf(gh, version, k -> cycle.get(Math.floorMod(k, 4)), 0.1);

        assertThat(check(gh, T0.plusSeconds(7_500)).statusCode()).isEqualTo(204);
    }
}
