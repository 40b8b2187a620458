package dev.greenloop.ingest.validation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.events.EventException;
import dev.greenloop.events.EventType;
import dev.greenloop.events.FieldError;
import dev.greenloop.events.SensorRange;
import dev.greenloop.events.json.PayloadValidator;
import dev.greenloop.events.json.ReadingsBinding;
import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.ActuatorState;
import dev.greenloop.events.payload.Reading;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.events.payload.SensorKind;
import dev.greenloop.ingest.IngestConfig;
import dev.greenloop.ingest.IngestException;
import dev.greenloop.ingest.IngestException.ItemError;
import dev.greenloop.ingest.IngestException.Kind;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Validates a readings batch item by item: the contract's JSON Schema first, then units
 * (converted to canonical), timestamps (not too far ahead of our clock, not too old), physical
 * ranges (reject) and plausibility (quarantine). Within the batch, a reading that jumps faster
 * than its sensor can change is quarantined as a spike. Stateless and thread-safe.
 */
@ApplicationScoped
public class BatchValidator {

    private static final Duration SPIKE_WINDOW = Duration.ofMinutes(10);
    private static final String READINGS = "/readings/";
    private static final String ACTUATORS = "/actuators/";

    private final Clock clock;
    private final Duration futureTolerance;
    private final Duration maxAge;
    private final Duration backfillMaxAge;

    @jakarta.inject.Inject
    public BatchValidator(Clock clock, IngestConfig config) {
        this(clock, config.validation().futureTolerance(), config.validation().maxAge(),
                config.validation().backfillMaxAge());
    }

    public BatchValidator(Clock clock, Duration futureTolerance, Duration maxAge, Duration backfillMaxAge) {
        this.clock = clock;
        this.futureTolerance = futureTolerance;
        this.maxAge = maxAge;
        this.backfillMaxAge = backfillMaxAge;
    }

    /** Validates a live batch. */
    public ValidatedBatch validate(JsonNode batch) {
        return validate(batch, false);
    }

    /**
     * @param backfill history sent in backfill mode: timestamps may be up to {@code backfill-max-age}
     *                 old instead of {@code max-age}
     * @throws IngestException {@code MALFORMED} (400) or {@code UNPROCESSABLE} (422) when the batch
     *                         as a whole is wrong; item errors are returned, not thrown
     */
    public ValidatedBatch validate(JsonNode batch, boolean backfill) {
        if (!hasItems(batch, "readings") && !hasItems(batch, "actuators")) {
            throw IngestException.invalid(Kind.UNPROCESSABLE, "the batch holds no readings and no actuator states",
                    List.of(ItemError.of("/readings", "minItems", "must not be empty")));
        }
        Map<String, List<FieldError>> itemErrors = new HashMap<>();
        List<FieldError> batchErrors = new ArrayList<>();
        for (FieldError error : PayloadValidator.validate(EventType.SENSOR_READINGS, batch)) {
            Integer index = ItemError.indexOf(error.pointer());
            if (index == null) {
                batchErrors.add(error);
            } else {
                itemErrors.computeIfAbsent(itemPointer(error.pointer()), k -> new ArrayList<>()).add(error);
            }
        }
        if (!batchErrors.isEmpty()) {
            boolean structural = batchErrors.stream().anyMatch(FieldError::isStructural);
            throw IngestException.invalid(structural ? Kind.MALFORMED : Kind.UNPROCESSABLE,
                    "the batch does not match " + EventType.SENSOR_READINGS.schemaFile(),
                    batchErrors.stream().map(ItemError::of).toList());
        }

        List<ItemError> rejected = new ArrayList<>();
        List<Reading> readings = bind(batch.path("readings"), READINGS, itemErrors, rejected);
        List<ActuatorState> actuators = bind(batch.path("actuators"), ACTUATORS, itemErrors, rejected);
        return check(batch.get("greenhouseId").asText(), batch.get("zoneId").asText(), batch.get("deviceId").asText(),
                readings, actuators, rejected, backfill);
    }

    /**
     * Validates a batch whose every item is well-formed already (read by the streaming reader,
     * which takes only batches that meet the schema): the same checks as {@link #validate(JsonNode, boolean)}
     * after its schema pass.
     */
    public ValidatedBatch validate(ReadingsBatch batch, boolean backfill) {
        return check(batch.greenhouseId(), batch.zoneId(), batch.deviceId(), batch.readings(), batch.actuators(),
                new ArrayList<>(), backfill);
    }

    /**
     * The checks after the schema: units, times, ranges, repeats and conflicts, plausibility and
     * spikes. A null item was rejected already (its errors are in {@code rejected}). Pointers are
     * built only for the items that need one.
     */
    private ValidatedBatch check(String greenhouse, String zone, String device, List<Reading> items,
                                 List<ActuatorState> actuatorItems, List<ItemError> rejected, boolean backfill) {
        Instant now = clock.instant();
        TimeRule time = new TimeRule(now, backfill);
        List<ValidatedBatch.Quarantined> quarantined = new ArrayList<>();
        Map<ItemKey, Seen> seen = new HashMap<>();
        int[] duplicates = {0};

        List<Indexed> readings = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            Reading reading = items.get(i);
            if (reading == null) {
                continue;
            }
            Reading canonical = checkReading(reading, READINGS, i, time, rejected);
            // Repeats and conflicts first, quarantined readings included: an implausible 55 °C and a
            // plausible 21 °C for one sensor and time are a conflict, not one reading on each topic.
            if (canonical == null || !firstOccurrence(new ItemKey(reading.sensor(), reading.timestamp()),
                    canonical.value(), READINGS, i, seen, rejected, duplicates)) {
                continue;
            }
            if (quarantinedAsImplausible(canonical, i, quarantined)) {
                continue;
            }
            readings.add(new Indexed(i, canonical));
        }
        List<Reading> accepted = quarantineSpikes(readings, quarantined);

        List<ActuatorState> actuators = new ArrayList<>(actuatorItems.size());
        for (int i = 0; i < actuatorItems.size(); i++) {
            ActuatorState state = actuatorItems.get(i);
            if (state == null) {
                continue;
            }
            ActuatorState canonical = checkActuator(state, i, time, rejected);
            if (canonical != null && firstOccurrence(new ItemKey(state.actuator(), state.timestamp()),
                    canonical.value(), ACTUATORS, i, seen, rejected, duplicates)) {
                actuators.add(canonical);
            }
        }
        rejected.sort(Comparator.comparing((ItemError e) -> e.pointer().startsWith("/actuators"))
                .thenComparing(e -> e.index() == null ? -1 : e.index())
                .thenComparing(ItemError::pointer));
        return new ValidatedBatch(greenhouse, zone, device, accepted, actuators, quarantined, rejected, duplicates[0]);
    }

    /**
     * The items of {@code nodes} bound by hand; null where the schema or the record refused one
     * (its errors added to {@code rejected}).
     */
    @SuppressWarnings("unchecked")
    private static <T> List<T> bind(JsonNode nodes, String prefix, Map<String, List<FieldError>> itemErrors,
                                    List<ItemError> rejected) {
        List<T> items = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            String pointer = prefix + i;
            List<FieldError> errors = itemErrors.get(pointer);
            if (errors != null) {
                errors.forEach(e -> rejected.add(ItemError.of(e)));
                items.add(null);
                continue;
            }
            try {
                // The schema has checked every member's presence and type: bind by hand, which is
                // several times cheaper than a databind round trip per item.
                JsonNode node = nodes.get(i);
                items.add((T) (prefix.equals(READINGS) ? ReadingsBinding.reading(node) : ReadingsBinding.actuatorState(node)));
            } catch (EventException invalid) {
                invalid.under(pointer).fieldErrors().forEach(f -> rejected.add(ItemError.of(f)));
                items.add(null);
            }
        }
        return items;
    }

    private Reading checkReading(Reading reading, String prefix, int index, TimeRule time, List<ItemError> rejected) {
        SensorKind kind = reading.sensor();
        OptionalDouble value = UnitConverter.toCanonical(kind, reading.value(), reading.unit());
        if (value.isEmpty()) {
            rejected.add(ItemError.of(prefix + index + "/unit", "unit", "'" + reading.unit() + "' is not a unit of "
                    + kind.wireName() + " (accepted: " + UnitConverter.accepted(kind.canonicalUnit()) + ")"));
            return null;
        }
        if (!checkTime(reading.timestamp(), prefix, index, time, rejected)) {
            return null;
        }
        double v = value.getAsDouble();
        SensorRange range = SensorRange.of(kind);
        String unit = kind.canonicalUnit();
        if (!range.physical(v)) {
            rejected.add(ItemError.of(prefix + index + "/value", "range", format(v) + " " + unit + " is outside the physical range ["
                    + format(range.physicalMin()) + ", " + format(range.physicalMax()) + "] of " + kind.wireName()));
            return null;
        }
        return new Reading(kind, v, unit, reading.timestamp());
    }

    /** Quarantines a physically possible reading outside the plausible greenhouse range. */
    private static boolean quarantinedAsImplausible(Reading canonical, int index,
                                                    List<ValidatedBatch.Quarantined> quarantined) {
        SensorRange range = SensorRange.of(canonical.sensor());
        double v = canonical.value();
        if (range.plausible(v)) {
            return false;
        }
        quarantined.add(new ValidatedBatch.Quarantined(READINGS + index, canonical, "implausible", format(v) + " "
                + canonical.unit() + " is outside the plausible greenhouse range [" + format(range.plausibleMin()) + ", "
                + format(range.plausibleMax()) + "] of " + canonical.sensor().wireName()));
        return true;
    }

    private ActuatorState checkActuator(ActuatorState state, int index, TimeRule time, List<ItemError> rejected) {
        ActuatorKind kind = state.actuator();
        OptionalDouble value = UnitConverter.toCanonical(kind.unit(), state.value(), state.unit());
        if (value.isEmpty()) {
            rejected.add(ItemError.of(ACTUATORS + index + "/unit", "unit", "'" + state.unit() + "' is not a unit of "
                    + kind.wireName() + " (accepted: " + UnitConverter.accepted(kind.unit()) + ")"));
            return null;
        }
        if (!checkTime(state.timestamp(), ACTUATORS, index, time, rejected)) {
            return null;
        }
        double v = value.getAsDouble();
        double max = kind == ActuatorKind.HEATING ? 130 : 100;
        if (v < 0 || v > max) {
            rejected.add(ItemError.of(ACTUATORS + index + "/value", "range", format(v) + " " + kind.unit()
                    + " is outside [0, " + format(max) + "] for " + kind.wireName()));
            return null;
        }
        return new ActuatorState(kind, v, kind.unit(), state.timestamp());
    }

    /** The time check of one request: now, and whether it is a backfill. */
    private record TimeRule(Instant now, boolean backfill) {
    }

    private boolean checkTime(Instant timestamp, String prefix, int index, TimeRule rule, List<ItemError> rejected) {
        Instant now = rule.now();
        if (timestamp.isAfter(now.plus(futureTolerance))) {
            rejected.add(ItemError.of(prefix + index + "/timestamp", "timestamp", timestamp + " is more than " + futureTolerance.toMinutes()
                    + " min ahead of ingest's clock (" + now + "); check the device clock"));
            return false;
        }
        Duration oldest = rule.backfill() ? backfillMaxAge : maxAge;
        if (timestamp.isBefore(now.minus(oldest))) {
            rejected.add(ItemError.of(prefix + index + "/timestamp", "timestamp", timestamp + " is older than the "
                    + oldest.toDays() + " days ingest accepts" + (rule.backfill() ? " in backfill mode"
                    : "; older history is imported in backfill mode (?backfill=true, by a device allowed to backfill)")));
            return false;
        }
        return true;
    }

    /**
     * Exact repeats (same item, same value) are dropped and counted; the same sensor and time with
     * another value is a conflict and rejected.
     */
    private static boolean firstOccurrence(ItemKey key, double value, String prefix, int index, Map<ItemKey, Seen> seen,
                                           List<ItemError> rejected, int[] duplicates) {
        Seen earlier = seen.putIfAbsent(key, new Seen(prefix, index, value));
        if (earlier == null) {
            return true;
        }
        if (earlier.value() == value) {
            duplicates[0]++;
        } else {
            rejected.add(ItemError.of(prefix + index, "conflict", "conflicts with " + earlier.prefix() + earlier.index()
                    + ": same timestamp, another value"));
        }
        return false;
    }

    /** Quarantines readings that change faster than their sensor plausibly can. */
    private static List<Reading> quarantineSpikes(List<Indexed> readings,
                                                  List<ValidatedBatch.Quarantined> quarantined) {
        Map<SensorKind, List<Indexed>> bySensor = new LinkedHashMap<>();
        readings.forEach(r -> bySensor.computeIfAbsent(r.item.sensor(), k -> new ArrayList<>()).add(r));
        java.util.Set<Integer> spikes = new java.util.HashSet<>();
        for (List<Indexed> series : bySensor.values()) {
            series.sort(Comparator.comparing(r -> r.item.timestamp()));
            double maxPerMinute = SensorRange.of(series.get(0).item.sensor()).maxChangePerMinute();
            if (Double.isInfinite(maxPerMinute)) {
                continue;
            }
            Indexed last = series.get(0);
            for (Indexed next : series.subList(1, series.size())) {
                Duration dt = Duration.between(last.item.timestamp(), next.item.timestamp());
                double change = Math.abs(next.item.value() - last.item.value());
                double minutes = Math.max(dt.toMillis() / 60_000.0, 1.0 / 60);
                if (dt.compareTo(SPIKE_WINDOW) <= 0 && change / minutes > maxPerMinute) {
                    spikes.add(next.index);
                    quarantined.add(new ValidatedBatch.Quarantined(READINGS + next.index, next.item, "spike", "spike: "
                            + next.item.sensor().wireName() + " changed by " + format(change) + " " + next.item.unit()
                            + " in " + dt.toSeconds() + " s (more than " + format(maxPerMinute) + " per minute)"));
                } else {
                    last = next;
                }
            }
        }
        return readings.stream().filter(r -> !spikes.contains(r.index)).map(r -> r.item).toList();
    }

    private static boolean hasItems(JsonNode batch, String field) {
        JsonNode node = batch.get(field);
        return node != null && (!node.isArray() || !node.isEmpty());
    }

    private static String itemPointer(String pointer) {
        String[] parts = pointer.split("/");
        return "/" + parts[1] + "/" + parts[2];
    }

    private static String format(double v) {
        return String.format(Locale.ROOT, "%.6g", v).replaceAll("\\.?0+(e|$)", "$1");
    }

    private record Indexed(int index, Reading item) {
    }

    /** The first item for a key: where it was ({@code prefix} and {@code index}) and its value. */
    private record Seen(String prefix, int index, double value) {
    }

    /** What makes two items the same: the sensor (or actuator) and the time. */
    private record ItemKey(Enum<?> kind, Instant timestamp) {
    }
}
