package dev.greenloop.events.json;

import dev.greenloop.events.EventException;
import dev.greenloop.events.EventType;
import dev.greenloop.events.TestEvents;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.greenloop.events.payload.ReadingsBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The streaming reader against the full path (tree, JSON Schema, binding) on the same bytes:
 * whenever the reader returns a batch, the full path accepts those bytes and binds an equal
 * batch. The reader may leave a batch to the full path; it must not accept what the full path
 * refuses, nor bind anything differently.
 */
class ReadingsReaderTest {

    private static final String[] IDS = {"\"gh-1\"", "\"a\"", "\"A.b_c:d-9\"", "\"" + "x".repeat(128) + "\"",
            "\"" + "x".repeat(129) + "\"", "\"\"", "\"-a\"", "\"a b\"", "\"gh-1\\n\"", "\"gh/1\"", "\"é\"", "12", "null",
            "[\"gh-1\"]"};
    private static final String[] SENSORS = {"\"air_temperature\"", "\"co2\"", "\"lamps\"", "\"AIR_TEMPERATURE\"",
            "\"heating\"", "\"\"", "1", "null"};
    private static final String[] ACTUATORS = {"\"vent\"", "\"co2_dosing\"", "\"VENT\"", "\"co2\"", "0", "null"};
    private static final String[] VALUES = {"21.5", "0", "-0", "-0.0", "3", "612", "1e2", "2.5E-3", "0.1234567890123456789",
            "999999999", "999999999.9", "999999999.99999999999", "1e9", "1000000000", "1000000000.0000001", "-1e9",
            "-999999999.5", "1e400", "12345678901234567890", "\"21.5\"", "true", "null", "[]", "{}"};
    private static final String[] UNITS = {"\"degC\"", "\"%\"", "\"ppm\"", "\"umol/m2/s\"", "\"°C\"", "\"\"", "\" \"",
            "\"" + "u".repeat(16) + "\"", "\"" + "u".repeat(17) + "\"", "\"" + "é".repeat(16) + "\"",
            "\"" + "\uD83D\uDE00".repeat(8) + "\"", "\"" + "\uD83D\uDE00".repeat(9) + "\"", "\"a\\u0000\"", "\"\\u2003\"",
            "7", "null"};
    private static final String[] TIMES = {"\"2026-12-01T10:00:00Z\"", "\"2026-12-01T10:00:00.5Z\"",
            "\"2026-12-01T10:00:00.123456789Z\"", "\"2026-12-01T10:00:00.1234567891Z\"", "\"2026-12-01T10:00:00+05:30\"",
            "\"2026-12-01T10:00:00.25-08:00\"", "\"2026-12-01T10:00:00-00:00\"", "\"2026-12-01T10:00:00+00:00\"",
            "\"2026-12-01t10:00:00z\"", "\"2026-12-01 10:00:00Z\"", "\"2026-12-01T10:00Z\"", "\"2024-02-29T00:00:00Z\"",
            "\"2026-02-29T00:00:00Z\"", "\"2026-04-31T00:00:00Z\"", "\"2026-12-31T23:59:60Z\"", "\"2026-12-01T24:00:00Z\"",
            "\"2026-12-01T10:60:00Z\"", "\"2026-12-01T10:00:00+24:00\"", "\"2026-12-01T10:00:00+05:60\"",
            "\"2026-13-01T10:00:00Z\"", "\"2026-00-10T10:00:00Z\"", "\"0999-12-01T10:00:00Z\"", "\"2026-12-01T10:00:00.Z\"",
            "\"2026-12-01T10:00:00+0530\"", "\"2026-12-01T10:00:00\"", "\"20261201T100000Z\"", "1764583200", "null"};

    @Test
    void theContractsOwnExampleIsReadInOnePassAndEqualsTheFullPath() {
        byte[] json = PayloadCodec.write(TestEvents.readingsBatch());
        ReadingsBatch fast = ReadingsReader.read(json);
        assertThat(fast).isNotNull().isEqualTo(TestEvents.readingsBatch());
        assertThat(fast).isEqualTo(PayloadCodec.readFully(EventType.SENSOR_READINGS, json));
    }

    @Test
    void aTreeIsReadAsItsBytesAre() throws Exception {
        byte[] json = PayloadCodec.write(TestEvents.readingsBatch());
        assertThat(ReadingsReader.read(LENIENT.readTree(json))).isEqualTo(TestEvents.readingsBatch());
        assertThat(ReadingsReader.read(LENIENT.readTree("[]"))).isNull();
    }

    @Test
    void aBatchWithoutItsGreenhouseTakesTheOneGivenIfItIsAnId() {
        byte[] json = ("{\"zoneId\":\"z-1\",\"deviceId\":\"d-1\",\"readings\":[{\"sensor\":\"co2\",\"value\":600,"
                + "\"unit\":\"ppm\",\"timestamp\":\"2026-12-01T10:00:00Z\"}]}").getBytes(StandardCharsets.UTF_8);
        assertThat(ReadingsReader.read(json)).isNull();
        assertThat(ReadingsReader.read(json, "gh-path").greenhouseId()).isEqualTo("gh-path");
        assertThat(ReadingsReader.read(json, "not an id")).isNull();
    }

    /** Every listed variant of every member, one member at a time, beside the full path. */
    @Test
    void eachMembersVariantsAgreeWithTheFullPath() {
        int fast = 0;
        int total = 0;
        for (String[] choices : List.of(IDS, SENSORS, VALUES, UNITS, TIMES, ACTUATORS)) {
            for (String choice : choices) {
                String[] member = plain();
                int slot = choices == IDS ? 0 : choices == SENSORS ? 3 : choices == VALUES ? 4 : choices == UNITS ? 5
                        : choices == TIMES ? 6 : 7;
                member[slot] = choice;
                fast += compare(batch(member, "", ""));
                total++;
            }
        }
        // The plain forms are read in one pass: the reader is in use, not always deferring.
        assertThat(fast).as("variants read in one pass").isGreaterThan(total / 3);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"greenhouseId\":\"gh\",\"zoneId\":\"z\",\"deviceId\":\"d\",\"readings\":[]}",
            "{\"greenhouseId\":\"gh\",\"zoneId\":\"z\",\"deviceId\":\"d\",\"readings\":[],\"actuators\":[]}",
            "{\"greenhouseId\":\"gh\",\"zoneId\":\"z\",\"deviceId\":\"d\"}",
            "{\"greenhouseId\":\"gh\",\"zoneId\":\"z\",\"deviceId\":\"d\",\"readings\":null}",
            "{\"greenhouseId\":\"gh\",\"greenhouseId\":\"gh\",\"zoneId\":\"z\",\"deviceId\":\"d\",\"readings\":[" + ITEM + "]}",
            "{\"greenhouseId\":\"gh\",\"zoneId\":\"z\",\"deviceId\":\"d\",\"readings\":[" + ITEM + "],\"extra\":1}",
            "{\"greenhouseId\":\"gh\",\"zoneId\":\"z\",\"deviceId\":\"d\",\"readings\":[" + ITEM + "]} {}",
            "{\"greenhouseId\":\"gh\",\"zoneId\":\"z\",\"deviceId\":\"d\",\"readings\":[" + ITEM + "]}   ",
            "{\"greenhouseId\":\"gh\",\"zoneId\":\"z\",\"deviceId\":\"d\",\"readings\":[" + ITEM + ",null]}",
            "{\"greenhouseId\":\"gh\",\"zoneId\":\"z\",\"deviceId\":\"d\",\"readings\":[" + ITEM + ",[]]}",
            "{\"greenhouseId\":\"gh\",\"zoneId\":\"z\",\"deviceId\":\"d\",\"readings\":[{\"sensor\":\"co2\",\"sensor\":\"co2\","
                    + "\"value\":1,\"unit\":\"ppm\",\"timestamp\":\"2026-12-01T10:00:00Z\"}]}",
            "{\"greenhouseId\":\"gh\",\"zoneId\":\"z\",\"deviceId\":\"d\",\"readings\":[{\"sensor\":\"co2\","
                    + "\"value\":1,\"unit\":\"ppm\"}]}",
            "{\"greenhouseId\":\"gh\",\"zoneId\":\"z\",\"deviceId\":\"d\",\"actuators\":[{\"actuator\":\"vent\","
                    + "\"value\":1,\"unit\":\"%\",\"timestamp\":\"2026-12-01T10:00:00Z\",\"x\":1}]}",
            "[]", "null", "\"readings\"", "{", ""})
    void batchesOfAnUnusualShapeAgreeWithTheFullPath(String json) {
        compare(json);
    }

    /** Random combinations of the variants, with members left out, repeated and reordered. */
    @Test
    void randomBatchesAgreeWithTheFullPath() {
        Random random = new Random(20261204L);
        int fast = 0;
        for (int round = 0; round < 3000; round++) {
            String[] member = plain();
            for (int k = 0; k < 1 + random.nextInt(3); k++) {
                int slot = random.nextInt(8);
                String[] choices = switch (slot) {
                    case 0, 1, 2 -> IDS;
                    case 3 -> SENSORS;
                    case 4 -> VALUES;
                    case 5 -> UNITS;
                    case 6 -> TIMES;
                    default -> ACTUATORS;
                };
                member[slot] = random.nextInt(10) == 0 ? null : choices[random.nextInt(choices.length)];
            }
            String extra = random.nextInt(10) == 0 ? ",\"zoneId\":\"z-2\"" : "";
            String itemExtra = random.nextInt(10) == 0 ? ",\"value\":1" : "";
            fast += compare(batch(member, extra, itemExtra));
        }
        assertThat(fast).as("random batches read in one pass").isGreaterThan(100);
    }

    /** Byte-level mutations of a valid batch (cut, flipped, spliced with hostile tokens). */
    @Test
    void mutatedBytesAgreeWithTheFullPath() {
        byte[] original = PayloadCodec.write(TestEvents.readingsBatch());
        Random random = new Random(42);
        for (int round = 0; round < 2000; round++) {
            compare(new String(MutationFuzzTest.mutate(original, random), StandardCharsets.UTF_8));
        }
    }

    private static final String ITEM = "{\"sensor\":\"co2\",\"value\":612,\"unit\":\"ppm\",\"timestamp\":\"2026-12-01T10:00:00Z\"}";

    /** greenhouse, zone, device, sensor, value, unit, timestamp, actuator; null leaves a member out. */
    private static String[] plain() {
        return new String[]{"\"gh-1\"", "\"zone-a\"", "\"dev-1\"", "\"air_temperature\"", "21.5", "\"degC\"",
                "\"2026-12-01T10:00:00Z\"", "\"vent\""};
    }

    private static String batch(String[] m, String extra, String itemExtra) {
        List<String> top = new ArrayList<>();
        member(top, "greenhouseId", m[0]);
        member(top, "zoneId", m[1]);
        member(top, "deviceId", m[2]);
        List<String> reading = new ArrayList<>();
        member(reading, "sensor", m[3]);
        member(reading, "value", m[4]);
        member(reading, "unit", m[5]);
        member(reading, "timestamp", m[6]);
        List<String> actuator = new ArrayList<>();
        member(actuator, "actuator", m[7]);
        member(actuator, "value", "35");
        member(actuator, "unit", "\"%\"");
        member(actuator, "timestamp", m[6]);
        top.add("\"readings\":[" + ITEM + ",{" + String.join(",", reading) + itemExtra + "}]");
        top.add("\"actuators\":[{" + String.join(",", actuator) + "}]");
        return "{" + String.join(",", top) + extra + "}";
    }

    private static void member(List<String> into, String name, String value) {
        if (value != null) {
            into.add("\"" + name + "\":" + value);
        }
    }

    /** 1 when the reader took the batch (and agreed), 0 when it left it to the full path. */
    private static int compare(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ReadingsBatch fast = ReadingsReader.read(bytes);
        Object full;
        try {
            full = PayloadCodec.readFully(EventType.SENSOR_READINGS, bytes);
        } catch (EventException refused) {
            full = refused;
        }
        compareTrees(json, bytes);
        if (fast == null) {
            return 0;
        }
        assertThat(full).as("the full path on %s", json).isEqualTo(fast);
        return 1;
    }

    /**
     * The tree variant on the trees a function gets: the contract's mapper (decimals exact) and a
     * default mapper (decimals as doubles, duplicate keys taken, as Funqy's).
     */
    private static void compareTrees(String json, byte[] bytes) {
        for (ObjectMapper mapper : List.of(EventJson.mapper(), LENIENT)) {
            JsonNode tree;
            try {
                tree = mapper.readTree(bytes);
            } catch (Exception notJson) {
                continue;
            }
            ReadingsBatch fast = ReadingsReader.read(tree);
            if (fast == null) {
                continue;
            }
            Object full;
            try {
                full = PayloadCodec.bindFully(EventType.SENSOR_READINGS, tree);
            } catch (EventException refused) {
                full = refused;
            }
            assertThat(full).as("the full path on the tree of %s", json).isEqualTo(fast);
        }
    }

    private static final ObjectMapper LENIENT = new ObjectMapper();
}
