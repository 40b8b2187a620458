package dev.greenloop.ingest.validation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.Reading;
import dev.greenloop.events.payload.SensorKind;
import dev.greenloop.ingest.IngestException;
import dev.greenloop.ingest.IngestException.ItemError;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

class BatchValidatorTest {

    private static final Instant NOW = Instant.parse("2026-06-21T12:00:00Z");
    private final BatchValidator validator = new BatchValidator(Clock.fixed(NOW, ZoneOffset.UTC),
            Duration.ofMinutes(5), Duration.ofDays(30), Duration.ofDays(3650));

    private static JsonNode batch(String readings) {
        return PayloadCodec.parse(("{\"greenhouseId\":\"gh-1\",\"zoneId\":\"z1\",\"deviceId\":\"d1\",\"readings\":["
                + readings + "]}").getBytes(StandardCharsets.UTF_8));
    }

    private static String reading(String sensor, String value, String unit, String timestamp) {
        return "{\"sensor\":\"" + sensor + "\",\"value\":" + value + ",\"unit\":\"" + unit + "\",\"timestamp\":\"" + timestamp + "\"}";
    }

    @Test
    void convertsUnitsToCanonical() {
        ValidatedBatch result = validator.validate(batch(String.join(",",
                reading("air_temperature", "77", "degF", "2026-06-21T11:59:00Z"),
                reading("outside_temperature", "293.15", "K", "2026-06-21T11:59:00Z"),
                reading("wind_speed", "36", "km/h", "2026-06-21T11:59:00Z"),
                reading("relative_humidity", "0.8", "fraction", "2026-06-21T11:59:00Z"))));

        assertThat(result.rejected()).isEmpty();
        assertThat(result.readings()).extracting(Reading::value).satisfiesExactly(
                v -> assertThat(v).isCloseTo(25.0, within(1e-9)),
                v -> assertThat(v).isCloseTo(20.0, within(1e-9)),
                v -> assertThat(v).isCloseTo(10.0, within(1e-9)),
                v -> assertThat(v).isCloseTo(80.0, within(1e-9)));
        assertThat(result.readings()).extracting(Reading::unit).containsExactly("degC", "degC", "m/s", "%");
    }

    @Test
    void rejectsUnknownUnitsFutureAndAncientTimestampsAndImpossibleValues() {
        ValidatedBatch result = validator.validate(batch(String.join(",",
                reading("co2", "400", "ppm", "2026-06-21T11:59:00Z"),
                reading("co2", "400", "mg/l", "2026-06-21T11:59:00Z"),
                reading("air_temperature", "20", "degC", "2026-06-21T12:06:00Z"),
                reading("air_temperature", "20", "degC", "2026-01-01T00:00:00Z"),
                reading("relative_humidity", "150", "%", "2026-06-21T11:59:00Z"))));

        assertThat(result.readings()).hasSize(1);
        assertThat(result.rejected()).extracting(ItemError::pointer, ItemError::code).containsExactly(
                org.assertj.core.groups.Tuple.tuple("/readings/1/unit", "unit"),
                org.assertj.core.groups.Tuple.tuple("/readings/2/timestamp", "timestamp"),
                org.assertj.core.groups.Tuple.tuple("/readings/3/timestamp", "timestamp"),
                org.assertj.core.groups.Tuple.tuple("/readings/4/value", "range"));
        assertThat(result.rejected().get(0).reason()).contains("ppm");
        assertThat(result.rejected().get(2).reason()).contains("older than the 30 days").contains("backfill mode");
    }

    @Test
    void backfillAcceptsHistoryUpToItsOwnLimitAndStillRefusesTheFuture() {
        String batch = String.join(",",
                reading("air_temperature", "20.5", "degC", "2026-01-10T08:00:00Z"),
                reading("air_temperature", "20.5", "degC", "2016-06-01T08:00:00Z"),
                reading("air_temperature", "20.5", "degC", "2026-06-21T12:30:00Z"));

        ValidatedBatch live = validator.validate(batch(batch));
        ValidatedBatch backfill = validator.validate(batch(batch), true);

        assertThat(live.readings()).isEmpty();
        assertThat(backfill.readings()).extracting(r -> r.timestamp().toString()).containsExactly("2026-01-10T08:00:00Z");
        assertThat(backfill.rejected()).extracting(ItemError::pointer).containsExactly("/readings/1/timestamp",
                "/readings/2/timestamp");
        assertThat(backfill.rejected().get(0).reason()).contains("older than the 3650 days ingest accepts in backfill mode");
        assertThat(backfill.rejected().get(1).reason()).contains("ahead of ingest's clock");
    }

    @Test
    void quarantinesImplausibleValuesAndSpikesButKeepsTheSeriesAroundThem() {
        ValidatedBatch result = validator.validate(batch(String.join(",",
                reading("air_temperature", "21.0", "degC", "2026-06-21T11:55:00Z"),
                reading("air_temperature", "21.2", "degC", "2026-06-21T11:56:00Z"),
                reading("air_temperature", "35.0", "degC", "2026-06-21T11:57:00Z"),
                reading("air_temperature", "21.5", "degC", "2026-06-21T11:58:00Z"),
                reading("co2", "9000", "ppm", "2026-06-21T11:58:00Z"))));

        assertThat(result.readings()).extracting(Reading::value).containsExactly(21.0, 21.2, 21.5);
        assertThat(result.quarantined()).extracting(ValidatedBatch.Quarantined::pointer, ValidatedBatch.Quarantined::code)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("/readings/4", "implausible"),
                        org.assertj.core.groups.Tuple.tuple("/readings/2", "spike"));
        assertThat(result.quarantined()).filteredOn(q -> q.code().equals("spike")).singleElement()
                .satisfies(q -> assertThat(q.reason()).contains("changed by 13.8 degC in 60 s"));
    }

    @Test
    void dropsExactRepeatsAndRejectsConflictingOnes() {
        ValidatedBatch result = validator.validate(batch(String.join(",",
                reading("par", "500", "umol/m2/s", "2026-06-21T11:59:00Z"),
                reading("par", "500", "umol/m2/s", "2026-06-21T11:59:00Z"),
                reading("par", "650", "umol/m2/s", "2026-06-21T11:59:00Z"))));

        assertThat(result.readings()).hasSize(1);
        assertThat(result.duplicates()).isEqualTo(1);
        assertThat(result.rejected()).singleElement().satisfies(e -> {
            assertThat(e.pointer()).isEqualTo("/readings/2");
            assertThat(e.code()).isEqualTo("conflict");
        });
    }

    @Test
    void aQuarantinedReadingAndAPlausibleOneForTheSameSensorAndTimeAreAConflict() {
        ValidatedBatch result = validator.validate(batch(String.join(",",
                reading("air_temperature", "55", "degC", "2026-06-21T11:59:00Z"),
                reading("air_temperature", "21", "degC", "2026-06-21T11:59:00Z"))));

        assertThat(result.quarantined()).singleElement().satisfies(q -> assertThat(q.pointer()).isEqualTo("/readings/0"));
        assertThat(result.readings()).isEmpty();
        assertThat(result.rejected()).singleElement().satisfies(e -> {
            assertThat(e.pointer()).isEqualTo("/readings/1");
            assertThat(e.code()).isEqualTo("conflict");
        });
    }

    @Test
    void schemaErrorsOfItemsAreReportedPerItemAndBatchErrorsAreThrown() {
        ValidatedBatch result = validator.validate(batch(String.join(",",
                reading("air_temperature", "\"warm\"", "degC", "2026-06-21T11:59:00Z"),
                reading("soil_ph", "6.5", "pH", "2026-06-21T11:59:00Z"),
                reading("air_temperature", "20", "degC", "2026-06-21T11:59:00Z"))));
        IngestException noZone = catchThrowableOfType(IngestException.class, () -> validator.validate(PayloadCodec.parse(
                "{\"greenhouseId\":\"gh-1\",\"deviceId\":\"d1\",\"readings\":[]}".getBytes(StandardCharsets.UTF_8))));
        IngestException missingZone = catchThrowableOfType(IngestException.class, () -> validator.validate(PayloadCodec.parse(
                ("{\"greenhouseId\":\"gh-1\",\"deviceId\":\"d1\",\"readings\":[" + reading("co2", "400", "ppm",
                        "2026-06-21T11:59:00Z") + "]}").getBytes(StandardCharsets.UTF_8))));

        assertThat(result.readings()).extracting(Reading::sensor).containsExactly(SensorKind.AIR_TEMPERATURE);
        assertThat(result.rejected()).extracting(ItemError::pointer, ItemError::index).containsExactly(
                org.assertj.core.groups.Tuple.tuple("/readings/0/value", 0),
                org.assertj.core.groups.Tuple.tuple("/readings/1/sensor", 1));
        assertThat(noZone.kind()).isEqualTo(IngestException.Kind.UNPROCESSABLE);
        assertThat(noZone.getMessage()).contains("no readings");
        assertThat(missingZone.kind()).isEqualTo(IngestException.Kind.MALFORMED);
        assertThat(missingZone.errors()).extracting(ItemError::pointer).containsExactly("/zoneId");
    }
}
