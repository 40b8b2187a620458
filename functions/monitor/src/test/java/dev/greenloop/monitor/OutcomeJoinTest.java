package dev.greenloop.monitor;

import dev.greenloop.events.payload.FeatureWindow;
import dev.greenloop.testkit.quarkus.Metrics;
import dev.greenloop.testkit.quarkus.MongoResource;
import dev.greenloop.testkit.quarkus.OidcResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.greenloop.monitor.MonitorTesting.*;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The join of predictions with what was measured, against a table computed by hand: windows and
 * predictions in every order, late, missing, duplicated and redelivered; the hourly figures and
 * the head-to-head are the table's (to the float precision RestAssured reads JSON numbers with).
 */
@QuarkusTest
@TestProfile(MonitorTestProfile.class)
@WithTestResource(value = OidcResource.class, initArgs = @ResourceArg(name = "audience", value = "greenloop-monitor"))
@WithTestResource(MongoResource.class)
class OutcomeJoinTest {

    private static final Instant T0 = Instant.parse("2026-06-21T10:00:00Z");

    /** The zone's window ending {@code minute} minutes after T0: mean 20 + 0.1 per minute, last 0.05 above it. */
    private static FeatureWindow at(String greenhouse, int minute) {
        double mean = 20 + 0.1 * minute;
        return window(greenhouse, "zone-1", T0.plusSeconds(60L * minute), mean + 0.05, mean);
    }

    @Test
    void outcomesAndTheirFiguresAreTheHandComputedTable() {
        String gh = "gh-join-" + UUID.randomUUID().toString().substring(0, 6);
        Map<Integer, FeatureWindow> w = new HashMap<>();
        for (int m : new int[] {0, 1, 2, 3, 15, 16, 17, 30, 45, 50}) {
            w.put(m, at(gh, m));
        }
        // P1, P2 and the challenger's S1, S2 come before their target windows.
        for (int m : new int[] {0, 1, 2, 3}) {
            assertThat(send(w.get(m)).statusCode()).isEqualTo(204);
        }
        assertThat(send(prediction(w.get(0), "1", false, 21.7)).statusCode()).isEqualTo(204);
        assertThat(send(prediction(w.get(1), "1", false, 21.4)).statusCode()).isEqualTo(204);
        send(prediction(w.get(0), "2", true, 21.6));
        send(prediction(w.get(1), "2", true, 21.5));
        // P6: its target window (minute 18) never comes.
        send(prediction(w.get(3), "1", false, 21.9));
        for (int m : new int[] {15, 16, 17}) {
            send(w.get(m));
        }
        // P3 comes late, after both its windows; P1 and a window are redelivered.
        send(prediction(w.get(2), "1", false, 21.7));
        send(prediction(w.get(0), "1", false, 21.7));
        send(w.get(15));
        // P4 comes before the window it was made from.
        send(prediction(w.get(30), "1", false, 24.4));
        send(w.get(30));
        send(w.get(45));
        // The check after a window 32 minutes past P6's target time expires it.
        send(w.get(50));
        assertThat(check(gh, T0.plusSeconds(60L * 50)).statusCode()).isEqualTo(204);

        JsonPath answer = accuracy(gh, Map.of("since", T0.toString())).jsonPath();

        List<Map<String, Object>> hours = answer.getList("hours");
        assertThat(hours).hasSize(2);
        Map<String, Object> champion = hours.stream().filter(h -> h.get("role").equals("champion")).findFirst().orElseThrow();
        assertThat(champion).containsEntry("zoneId", "zone-1").containsEntry("target", "air_temperature")
                .containsEntry("horizonMinutes", 15).containsEntry("modelVersion", "1").containsEntry("count", 4)
                .containsEntry("expired", 1).containsEntry("hour", "2026-06-21T10:00:00Z");
        assertThat(number(champion, "mae")).isCloseTo(0.125, within(1e-6));
        assertThat(number(champion, "rmse")).isCloseTo(0.15, within(1e-6));
        assertThat(number(champion, "bias")).isCloseTo(-0.025, within(1e-6));
        assertThat(number(champion, "persistenceMae")).isCloseTo(1.45, within(1e-6));
        assertThat(number(champion, "ratio")).isCloseTo(0.125 / 1.45, within(1e-6));
        Map<String, Object> challenger = hours.stream().filter(h -> h.get("role").equals("challenger")).findFirst().orElseThrow();
        assertThat(challenger).containsEntry("modelVersion", "2").containsEntry("count", 2).containsEntry("expired", 0);
        assertThat(number(challenger, "mae")).isCloseTo(0.1, within(1e-6));
        assertThat(number(challenger, "bias")).isCloseTo(0.0, within(1e-6));

        List<Map<String, Object>> headToHead = answer.getList("headToHead");
        assertThat(headToHead).hasSize(1);
        Map<String, Object> h2h = headToHead.get(0);
        assertThat(h2h).containsEntry("championVersion", "1").containsEntry("challengerVersion", "2").containsEntry("instants", 2);
        assertThat(number(h2h, "championMae")).isCloseTo(0.2, within(1e-6));
        assertThat(number(h2h, "challengerMae")).isCloseTo(0.1, within(1e-6));
        assertThat(number(h2h, "gain")).isCloseTo(2.0, within(1e-6));
        assertThat(number(h2h, "challengerBetterShare")).isCloseTo(1.0, within(1e-6));

        JsonPath onlyChallenger = accuracy(gh, Map.of("since", T0.toString(), "modelVersion", "2")).jsonPath();
        assertThat(onlyChallenger.getList("hours")).hasSize(1);
    }

    /**
     * Live interval coverage: of four scored predictions with an interval, three held the
     * measured value (one on its low edge), one did not; a version without intervals has none.
     */
    @Test
    void theHourSaysHowOftenTheMeasuredValueLayInsideThePredictionInterval() {
        String gh = "gh-cover-" + UUID.randomUUID().toString().substring(0, 6);
        // Measured at +15 min (window means): 21.5, 21.6, 21.7, 21.8 for the windows of minutes 0..3.
        for (int m : new int[] {0, 1, 2, 3, 15, 16, 17, 18}) {
            send(at(gh, m));
        }
        send(prediction(at(gh, 0), "4", 21.4, 21.0, 21.9));   // holds 21.5
        send(prediction(at(gh, 1), "4", 21.7, 21.6, 21.9));   // holds 21.6, on its low edge
        send(prediction(at(gh, 2), "4", 21.6, 21.2, 21.65));  // misses 21.7
        send(prediction(at(gh, 3), "4", 21.8, 21.5, 22.1));   // holds 21.8
        send(prediction(at(gh, 0), "5", true, 21.5));

        List<Map<String, Object>> hours = accuracy(gh, Map.of("since", T0.toString())).jsonPath().getList("hours");

        Map<String, Object> withIntervals = hours.stream().filter(h -> h.get("modelVersion").equals("4")).findFirst()
                .orElseThrow();
        assertThat(withIntervals).containsEntry("count", 4).containsEntry("withInterval", 4);
        assertThat(number(withIntervals, "coverage")).isCloseTo(0.75, within(1e-6));
        Map<String, Object> without = hours.stream().filter(h -> h.get("modelVersion").equals("5")).findFirst().orElseThrow();
        assertThat(without).containsEntry("count", 1).containsEntry("withInterval", 0).doesNotContainKey("coverage");

        // Once the hour is complete, the hourly check sets the coverage gauge alerts and dashboards read.
        send(at(gh, 61));
        assertThat(check(gh, T0.plusSeconds(61 * 60)).statusCode()).isIn(200, 204);
        String scraped = given().get(Metrics.URL).then().statusCode(200).extract().asString();
        assertThat(scraped.lines().filter(l -> l.startsWith("greenloop_monitor_realised_interval_coverage{")
                && l.contains("greenhouse=\"" + gh + "\"") && l.contains("model_version=\"4\"")))
                .singleElement().satisfies(l -> assertThat(Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                        .isCloseTo(0.75, within(1e-9)));
    }

    /**
     * Many deliveries at once, as a busy Trigger makes them: every window and prediction of four
     * zones, each sent twice, in a shuffled order by 16 senders. Writes and reads share MongoDB
     * calls then (group commit); no join may be lost or doubled in the race.
     */
    @Test
    void concurrentDeliveriesLoseAndDoubleNothing() throws Exception {
        String gh = "gh-busy-" + UUID.randomUUID().toString().substring(0, 6);
        List<Object> events = new java.util.ArrayList<>();
        for (int zone = 1; zone <= 4; zone++) {
            for (int m = 0; m < 40; m++) {
                FeatureWindow w = window(gh, "zone-" + zone, T0.plusSeconds(60L * m), 20 + 0.1 * m + 0.05, 20 + 0.1 * m);
                events.add(w);
                events.add(w);
                if (m < 25) {
                    // 0.2 above what its target window (m + 15) will measure.
                    Object p = prediction(w, "1", false, 20 + 0.1 * (m + 15) + 0.2);
                    events.add(p);
                    events.add(p);
                }
            }
        }
        java.util.Collections.shuffle(events, new java.util.Random(7));
        java.util.concurrent.ExecutorService senders = java.util.concurrent.Executors.newFixedThreadPool(16);
        try {
            List<java.util.concurrent.Future<Integer>> statuses = new java.util.ArrayList<>();
            for (Object e : events) {
                statuses.add(senders.submit(() -> e instanceof FeatureWindow w ? send(w).statusCode()
                        : send((dev.greenloop.events.payload.Prediction) e).statusCode()));
            }
            for (java.util.concurrent.Future<Integer> status : statuses) {
                assertThat(status.get()).isEqualTo(204);
            }
        } finally {
            senders.shutdown();
        }
        assertThat(check(gh, T0.plusSeconds(60L * 39)).statusCode()).isEqualTo(204);

        List<Map<String, Object>> hours = accuracy(gh, Map.of("since", T0.toString())).jsonPath().getList("hours");
        assertThat(hours).extracting(h -> h.get("zoneId")).containsExactlyInAnyOrder("zone-1", "zone-2", "zone-3", "zone-4");
        for (Map<String, Object> hour : hours) {
            assertThat(hour).as(hour.get("zoneId").toString()).containsEntry("count", 25).containsEntry("expired", 0);
            assertThat(number(hour, "mae")).isCloseTo(0.2, within(1e-6));
            assertThat(number(hour, "persistenceMae")).isCloseTo(1.45, within(1e-6));
        }
    }

    @Test
    void theReadApiNeedsTheOperatorTokenAndValidFilters() {
        assertThat(io.restassured.RestAssured.given().get("/v1/greenhouses/gh-x/accuracy").statusCode()).isEqualTo(401);
        var badSince = accuracy("gh-x", Map.of("since", "yesterday"));
        assertThat(badSince.statusCode()).isEqualTo(400);
        assertThat(badSince.contentType()).startsWith("application/problem+json");
        assertThat(badSince.jsonPath().getString("detail")).contains("RFC 3339");
        assertThat(accuracy("gh x", Map.of()).statusCode()).isEqualTo(400);
    }

    @Test
    void aPredictionFromTheFutureIsRefusedAndStoresNothing() {
        String gh = "gh-future-" + UUID.randomUUID().toString().substring(0, 6);
        FeatureWindow future = window(gh, "zone-1", Instant.parse("9999-12-31T00:00:00Z"), 20, 20);
        var refused = send(prediction(future, "1", false, 20));
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body().asString()).contains("after monitor's clock");
        assertThat(send(future).statusCode()).isEqualTo(400);
        assertThat(accuracy(gh, Map.of("since", T0.toString())).jsonPath().getList("hours")).isEmpty();
    }

    private static double number(Map<String, Object> row, String field) {
        return ((Number) row.get(field)).doubleValue();
    }
}
