package dev.greenloop.control;

import io.quarkus.test.common.ResourceArg;
import dev.greenloop.testkit.quarkus.OidcResource;
import dev.greenloop.control.policy.ZoneSettings;
import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.ControlCommand;
import dev.greenloop.events.payload.Prediction;
import dev.greenloop.testkit.kafka.KafkaBroker;
import dev.greenloop.testkit.quarkus.KafkaResource;
import dev.greenloop.testkit.quarkus.MongoResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.bson.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.greenloop.control.ControlTesting.climate;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many decisions for one zone at once, as an unordered Trigger with several replicas delivers
 * them: predictions pulling the climate both ways and periodic checks, released together on 8
 * threads against the real MongoDB-wire server and broker. Every command sequence published for
 * the zone, per actuator in the order it was issued, must keep the envelope: within limits, at
 * most {@code maxStep} from the setting before, no second change within the dwell, and no
 * conflicting pair after any command.
 */
@QuarkusTest
@WithTestResource(value = OidcResource.class, initArgs = @ResourceArg(name = "audience", value = "greenloop-control"))
@TestProfile(ControlTestProfile.class)
@WithTestResource(KafkaResource.class)
@WithTestResource(MongoResource.class)
class ConcurrentDecisionsTest {

    private static final int DECISIONS = 40;
    private static final String GH = ControlTestProfile.RACE_GREENHOUSE;

    @Inject
    Controller controller;

    @BeforeAll
    static void topic() {
        KafkaBroker.shared().createTopic(ControlTesting.TOPIC, 3);
    }

    @Test
    void concurrentPredictionsAndChecksForOneZoneNeverBreakTheEnvelope() throws Exception {
        for (int round = 0; round < 3; round++) {
            String z = ControlTesting.zone();
            Instant end = ControlTesting.lastWindowEnd();
            int utcHour = Instant.now().atOffset(ZoneOffset.UTC).getHour();
            int offset = Math.floorMod(14 - utcHour, 24);
            Document dwell = new Document("minDwellSeconds", 600);
            ControlTesting.settings(GH, z, new Document("timezone", ZoneOffset.ofHours(offset > 12 ? offset - 24 : offset).getId())
                    .append("actuators", new Document("heating", dwell).append("vent", dwell).append("screen", dwell)
                            .append("fogging", dwell).append("co2_dosing", dwell)));
            ControlTesting.measured(GH, z, end, climate(24.0, 70, 700, 1200, 800, 20));
            ControlTesting.actuators(GH, z, 40, 10, 0, 0, 0);

            List<Callable<Object>> work = new ArrayList<>();
            for (int i = 0; i < DECISIONS; i++) {
                // Too hot and too cold by turns: each alone would move heating and vents, the other way each time.
                Prediction p = ControlTesting.prediction(GH, z, end.minusSeconds(60L * (i % 4)), i % 2 == 0 ? 28.5 : 15.0,
                        i % 3 == 0 ? 95.0 : 60.0, 700.0, false);
                String id = UUID.randomUUID().toString();
                work.add(() -> controller.onPrediction(p, id, Map.of()));
                if (i % 5 == 0) {
                    String ping = UUID.randomUUID().toString();
                    work.add(() -> controller.check(GH, ping, Map.of()));
                }
            }
            runTogether(work);

            List<ControlCommand> published = ControlTesting.records(r -> true).stream().map(ControlTesting::command)
                    .filter(c -> c.zoneId().equals(z)).toList();
            assertThat(published).as("round %d: some decision must command", round).isNotEmpty();
            assertEnvelope(published);
        }
        // The race was real: decisions lost the compare-and-set and were made again.
        String metrics = given().get(dev.greenloop.testkit.quarkus.Metrics.URL).then().statusCode(200).extract().asString();
        assertThat(metrics.lines().filter(l -> l.startsWith("greenloop_control_decision_conflicts_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum()).isPositive();
    }

    /** Releases every task at once on 8 threads; a task may fail (a conflict answered 503), none may hang. */
    private static void runTogether(List<Callable<Object>> work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Object>> futures = new ArrayList<>();
            for (Callable<Object> task : work) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return task.call();
                }));
            }
            start.countDown();
            for (Future<Object> f : futures) {
                try {
                    f.get(60, java.util.concurrent.TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(ControlException.class);
                    assertThat(((ControlException) e.getCause()).status()).as(e.getCause().getMessage()).isEqualTo(503);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void assertEnvelope(List<ControlCommand> published) {
        ZoneSettings s = ZoneSettings.defaults();
        Map<ActuatorKind, Double> setting = new EnumMap<>(ActuatorKind.class);
        setting.putAll(Map.of(ActuatorKind.HEATING, 40.0, ActuatorKind.VENT, 10.0, ActuatorKind.FOGGING, 0.0,
                ActuatorKind.CO2_DOSING, 0.0, ActuatorKind.SCREEN, 0.0));
        Map<ActuatorKind, Instant> changed = new EnumMap<>(ActuatorKind.class);
        List<ControlCommand> ordered = new ArrayList<>(published);
        ordered.sort(Comparator.comparing((ControlCommand c) -> c.signature().issuedAt()));
        for (ControlCommand c : ordered) {
            ActuatorKind kind = c.actuator();
            String what = kind.wireName() + " → " + c.value() + " at " + c.signature().issuedAt();
            assertThat(c.value()).as("limits: " + what).isBetween(s.limits(kind).min(), s.limits(kind).max());
            assertThat(Math.abs(c.value() - setting.get(kind))).as("rate: " + what + " from " + setting.get(kind))
                    .isLessThanOrEqualTo(s.limits(kind).maxStep());
            assertThat(changed.get(kind)).as("dwell: " + what + " after a change at " + changed.get(kind)).isNull();
            setting.put(kind, c.value());
            changed.put(kind, c.signature().issuedAt());
            assertThat(setting.get(ActuatorKind.VENT) > s.heatVentMaxVent() && setting.get(ActuatorKind.HEATING) > s.heatVentPipe())
                    .as("heating against vents after " + what + ": " + setting).isFalse();
            assertThat(setting.get(ActuatorKind.VENT) > s.co2MaxVent() && setting.get(ActuatorKind.CO2_DOSING) > 0)
                    .as("vents against CO2 dosing after " + what + ": " + setting).isFalse();
            assertThat(setting.get(ActuatorKind.VENT) > s.fogMaxVent() && setting.get(ActuatorKind.FOGGING) > 0)
                    .as("vents against fogging after " + what + ": " + setting).isFalse();
        }
    }
}
