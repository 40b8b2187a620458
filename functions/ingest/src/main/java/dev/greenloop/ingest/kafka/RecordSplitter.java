package dev.greenloop.ingest.kafka;

import dev.greenloop.events.payload.ActuatorState;
import dev.greenloop.events.payload.Reading;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.ingest.validation.ValidatedBatch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/** Cuts a validated batch into the readings records that carry it to Kafka. Stateless. */
public final class RecordSplitter {

    private RecordSplitter() {
    }

    /**
     * The records of a batch: at most {@code max} items ({@code max-items-per-record}) each, cut by time and never
     * by kind. Items are taken in time order (readings before actuator states at the same instant),
     * so every record starts at or after the end of the one before it: preprocess judges lateness
     * per record against the zone's newest time so far, and no part of a request can be late
     * against another part of it.
     */
    public static List<ReadingsBatch> split(ValidatedBatch checked, int max) {
        if (checked.readings().size() + checked.actuators().size() <= max) {
            // One record: lateness is judged per record, so the order within it does not matter.
            return List.of(new ReadingsBatch(checked.greenhouseId(), checked.zoneId(), checked.deviceId(),
                    checked.readings(), checked.actuators()));
        }
        List<Reading> readings = byTime(checked.readings(), Reading::timestamp);
        List<ActuatorState> actuators = byTime(checked.actuators(), ActuatorState::timestamp);
        List<ReadingsBatch> chunks = new ArrayList<>();
        int r = 0;
        int a = 0;
        while (r < readings.size() || a < actuators.size()) {
            int r0 = r;
            int a0 = a;
            for (int n = 0; n < max && (r < readings.size() || a < actuators.size()); n++) {
                boolean takeReading = a >= actuators.size() || (r < readings.size()
                        && !readings.get(r).timestamp().isAfter(actuators.get(a).timestamp()));
                if (takeReading) {
                    r++;
                } else {
                    a++;
                }
            }
            chunks.add(new ReadingsBatch(checked.greenhouseId(), checked.zoneId(), checked.deviceId(),
                    readings.subList(r0, r), actuators.subList(a0, a)));
        }
        return chunks;
    }

    /** {@code items} sorted by time, stable (request order among equal times); the list itself if sorted already. */
    private static <T> List<T> byTime(List<T> items, Function<T, Instant> time) {
        for (int i = 1; i < items.size(); i++) {
            if (time.apply(items.get(i)).isBefore(time.apply(items.get(i - 1)))) {
                List<T> sorted = new ArrayList<>(items);
                sorted.sort(Comparator.comparing(time));
                return sorted;
            }
        }
        return items;
    }
}
