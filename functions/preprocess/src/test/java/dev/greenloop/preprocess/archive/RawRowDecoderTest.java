package dev.greenloop.preprocess.archive;

import dev.greenloop.events.EventException;
import dev.greenloop.events.payload.ActuatorKind;
import dev.greenloop.events.payload.ActuatorState;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.Reading;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.events.payload.SensorKind;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RawRowDecoderTest {

    private static List<RawRow> decode(byte[] json) throws Exception {
        List<RawRow> rows = new ArrayList<>();
        RawRowDecoder.decode(json, "ev-1", 2, 41, false, rows::add);
        return rows;
    }

    @Test
    void everyItemKeepsItsOwnTimeWhereTimesRepeatAndChange() throws Exception {
        Instant a = Instant.parse("2026-06-20T22:30:00Z");
        Instant b = Instant.parse("2026-06-20T22:30:06.250Z");
        List<Reading> readings = List.of(
                new Reading(SensorKind.AIR_TEMPERATURE, 21.5, "degC", a),
                new Reading(SensorKind.CO2, 612, "ppm", a),
                new Reading(SensorKind.AIR_TEMPERATURE, 21.6, "degC", b),
                new Reading(SensorKind.CO2, 615, "ppm", b),
                new Reading(SensorKind.AIR_TEMPERATURE, 21.7, "degC", a));
        List<ActuatorState> actuators = List.of(new ActuatorState(ActuatorKind.VENT, 30, "%", b),
                new ActuatorState(ActuatorKind.VENT, 35, "%", a));

        List<RawRow> rows = decode(PayloadCodec.write(new ReadingsBatch("gh-1", "z1", "dev-1", readings, actuators)));

        assertThat(rows).extracting(RawRow::timestamp).containsExactly(a.toEpochMilli(), a.toEpochMilli(),
                b.toEpochMilli(), b.toEpochMilli(), a.toEpochMilli(), b.toEpochMilli(), a.toEpochMilli());
        assertThat(rows).extracting(RawRow::value).containsExactly(21.5, 612.0, 21.6, 615.0, 21.7, 30.0, 35.0);
        assertThat(rows).extracting(RawRow::itemIndex).containsExactly(0, 1, 2, 3, 4, 5, 6);
    }

    @Test
    void aTimeWithAnOffsetIsTheSameInstantAndABadTimeAfterAGoodOneIsRefused() throws Exception {
        String good = """
                {"greenhouseId":"gh-1","zoneId":"z1","deviceId":"dev-1","readings":[
                {"sensor":"air_temperature","value":21.5,"unit":"degC","timestamp":"2026-06-20T22:30:00Z"},
                {"sensor":"co2","value":612,"unit":"ppm","timestamp":"2026-06-21T00:30:00+02:00"}]}""";
        assertThat(decode(good.getBytes(StandardCharsets.UTF_8))).extracting(RawRow::timestamp)
                .containsOnly(Instant.parse("2026-06-20T22:30:00Z").toEpochMilli());

        String bad = """
                {"greenhouseId":"gh-1","zoneId":"z1","deviceId":"dev-1","readings":[
                {"sensor":"air_temperature","value":21.5,"unit":"degC","timestamp":"2026-06-20T22:30:00Z"},
                {"sensor":"co2","value":612,"unit":"ppm","timestamp":"2026-06-20 22:30"}]}""";
        assertThatThrownBy(() -> decode(bad.getBytes(StandardCharsets.UTF_8))).isInstanceOf(EventException.class)
                .hasMessageContaining("timestamp");
    }
}
