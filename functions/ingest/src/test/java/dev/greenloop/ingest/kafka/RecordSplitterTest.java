package dev.greenloop.ingest.kafka;

import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.ActuatorState;
import dev.greenloop.events.payload.Reading;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.events.payload.SensorKind;
import dev.greenloop.ingest.validation.ValidatedBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class RecordSplitterTest {

    private static final Instant T = Instant.parse("2026-06-21T00:00:00Z");

    private static ValidatedBatch batch(List<Reading> readings, List<ActuatorState> actuators) {
        return new ValidatedBatch("gh", "z", "d", readings, actuators, List.of(), List.of(), 0);
    }

    /** {@code minutes} of four sensors and two actuators a minute, readings listed before actuator states, shuffled by {@code seed} (0: not). */
    private static ValidatedBatch climateComputer(int minutes, long seed) {
        List<Reading> readings = new ArrayList<>();
        List<ActuatorState> actuators = new ArrayList<>();
        for (int m = 0; m < minutes; m++) {
            Instant t = T.plusSeconds(60L * m);
            for (SensorKind s : List.of(SensorKind.AIR_TEMPERATURE, SensorKind.CO2, SensorKind.PAR, SensorKind.WIND_SPEED)) {
                readings.add(new Reading(s, m, s.canonicalUnit(), t));
            }
            actuators.add(new ActuatorState(ActuatorKind.VENT, m % 100, "%", t));
            actuators.add(new ActuatorState(ActuatorKind.SCREEN, m % 100, "%", t));
        }
        if (seed != 0) {
            Collections.shuffle(readings, new Random(seed));
            Collections.shuffle(actuators, new Random(seed + 1));
        }
        return batch(readings, actuators);
    }

    private static Instant first(ReadingsBatch b) {
        return Collections.min(times(b));
    }

    private static Instant last(ReadingsBatch b) {
        return Collections.max(times(b));
    }

    private static List<Instant> times(ReadingsBatch b) {
        List<Instant> times = new ArrayList<>();
        b.readings().forEach(r -> times.add(r.timestamp()));
        b.actuators().forEach(a -> times.add(a.timestamp()));
        return times;
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 2, 3})
    void recordsFollowEachOtherInTimeAndTogetherHoldEveryItem(long seed) {
        ValidatedBatch batch = climateComputer(300, seed);

        List<ReadingsBatch> records = RecordSplitter.split(batch, 500);

        assertThat(records).hasSize(4);
        assertThat(records).allSatisfy(r -> assertThat(r.size()).isLessThanOrEqualTo(500));
        for (int i = 1; i < records.size(); i++) {
            assertThat(first(records.get(i))).isAfterOrEqualTo(last(records.get(i - 1)));
            assertThat(records.get(i).actuators()).isNotEmpty();
        }
        assertThat(records.stream().flatMap(r -> r.readings().stream()).toList())
                .containsExactlyInAnyOrderElementsOf(batch.readings());
        assertThat(records.stream().flatMap(r -> r.actuators().stream()).toList())
                .containsExactlyInAnyOrderElementsOf(batch.actuators());
    }

    @Test
    void aBatchThatFitsIsOneRecordInRequestOrder() {
        ValidatedBatch batch = climateComputer(10, 5);

        List<ReadingsBatch> records = RecordSplitter.split(batch, 500);

        assertThat(records).singleElement().satisfies(r -> {
            assertThat(r.readings()).isEqualTo(batch.readings());
            assertThat(r.actuators()).isEqualTo(batch.actuators());
        });
    }

    @Test
    void onlyOneKindIsCutByTimeToo() {
        List<Reading> readings = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            readings.add(new Reading(SensorKind.CO2, 400 + i, "ppm", T.plusSeconds(60L * (6 - i))));
        }

        List<ReadingsBatch> records = RecordSplitter.split(batch(readings, List.of()), 3);

        assertThat(records).extracting(ReadingsBatch::size).containsExactly(3, 3, 1);
        assertThat(records.get(0).readings()).extracting(Reading::value).containsExactly(406.0, 405.0, 404.0);
        assertThat(records.get(2).readings()).extracting(Reading::value).containsExactly(400.0);
    }
}
