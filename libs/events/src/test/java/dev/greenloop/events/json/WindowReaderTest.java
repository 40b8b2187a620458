package dev.greenloop.events.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.greenloop.events.EventException;
import dev.greenloop.events.EventType;
import dev.greenloop.events.TestEvents;
import dev.greenloop.events.payload.FeatureWindow;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The window reader against the full path (JSON Schema, then databind) on the same trees, from
 * the contract's mapper and from a default one (as Funqy's): whenever the reader returns a
 * window, the full path accepts that tree and binds an equal window.
 */
class WindowReaderTest {

    private static final ObjectMapper LENIENT = new ObjectMapper();
    private static final Map<String, String[]> VARIANTS = new LinkedHashMap<>();

    static {
        String[] ids = {"\"w-1\"", "\"a\"", "\"" + "x".repeat(129) + "\"", "\"\"", "\"a b\"", "\"-a\"", "3", "null"};
        VARIANTS.put("windowId", ids);
        VARIANTS.put("greenhouseId", ids);
        VARIANTS.put("zoneId", ids);
        VARIANTS.put("featureSpecVersion", new String[]{"\"v1\"", "\"v2\"", "\"v 1\"", "1", "null"});
        String[] times = {"\"2026-06-21T12:00:00Z\"", "\"2026-06-21T11:59:00Z\"", "\"2026-06-21T12:00:00.5Z\"",
                "\"2026-06-21T13:00:00+01:00\"", "\"2026-06-21t12:00:00z\"", "\"2026-02-30T12:00:00Z\"",
                "\"2026-06-21T12:00:60Z\"", "\"2026-06-21T12:00Z\"", "1782043200", "null"};
        VARIANTS.put("windowStart", times);
        VARIANTS.put("windowEnd", times);
        VARIANTS.put("featureNames", new String[]{"[\"a\",\"b\",\"c\",\"d\"]", "[\"a\",\"a\",\"c\",\"d\"]",
                "[\"A\",\"b\",\"c\",\"d\"]", "[\"a\",\"b\",\"c\"]", "[]", "[\"a\",\"b\",\"c\",\"" + "d".repeat(129) + "\"]",
                "[\"a\",\"b\",\"c\",4]", "\"a\"", "null"});
        VARIANTS.put("values", new String[]{"[1.5,-0.0,null,3]", "[1,2,3,4]", "[0.1234567890123456789,2,3,4]",
                "[1e9,2,3,4]", "[999999999.99999999999,2,3,4]", "[1e400,2,3,4]", "[\"1\",2,3,4]", "[true,2,3,4]",
                "[1,2,3]", "[]", "[[1],2,3,4]", "null"});
        VARIANTS.put("sourceEventIds", new String[]{"[\"e-1\"]", "[]", "[\"\"]", "[\"" + "e".repeat(257) + "\"]",
                "[\"\\uD83D\\uDE00\"]", "[1]", "null"});
    }

    @Test
    void theContractsExampleIsReadAndEqualsTheFullPath() throws Exception {
        byte[] json = PayloadCodec.write(TestEvents.featureWindow());
        for (ObjectMapper mapper : List.of(EventJson.mapper(), LENIENT)) {
            JsonNode tree = mapper.readTree(json);
            assertThat(WindowReader.read(tree)).isNotNull().isEqualTo(TestEvents.featureWindow())
                    .isEqualTo(PayloadCodec.bindFully(EventType.FEATURES_WINDOW, tree));
        }
    }

    @Test
    void eachMembersVariantsAgreeWithTheFullPath() {
        int fast = 0;
        for (Map.Entry<String, String[]> member : VARIANTS.entrySet()) {
            for (String choice : member.getValue()) {
                Map<String, String> window = plain();
                window.put(member.getKey(), choice);
                fast += compare(json(window, ""));
            }
            Map<String, String> without = plain();
            without.remove(member.getKey());
            fast += compare(json(without, ""));
        }
        fast += compare(json(plain(), ",\"extra\":1"));
        fast += compare(json(plain(), ",\"zoneId\":\"z-2\""));
        assertThat(fast).as("variants read in one pass").isGreaterThan(15);
    }

    @Test
    void randomWindowsAgreeWithTheFullPath() {
        Random random = new Random(20261204L);
        List<String> members = new ArrayList<>(VARIANTS.keySet());
        int fast = 0;
        for (int round = 0; round < 3000; round++) {
            Map<String, String> window = plain();
            for (int k = 0; k < 1 + random.nextInt(3); k++) {
                String member = members.get(random.nextInt(members.size()));
                String[] choices = VARIANTS.get(member);
                window.put(member, choices[random.nextInt(choices.length)]);
            }
            fast += compare(json(window, ""));
        }
        assertThat(fast).as("random windows read in one pass").isGreaterThan(100);
    }

    @Test
    void mutatedBytesAgreeWithTheFullPath() {
        byte[] original = PayloadCodec.write(TestEvents.featureWindow());
        Random random = new Random(43);
        for (int round = 0; round < 2000; round++) {
            compare(new String(MutationFuzzTest.mutate(original, random), StandardCharsets.UTF_8));
        }
    }

    private static Map<String, String> plain() {
        Map<String, String> window = new LinkedHashMap<>();
        window.put("windowId", "\"win-zone-a-20260621T1159\"");
        window.put("greenhouseId", "\"gh-1\"");
        window.put("zoneId", "\"zone-a\"");
        window.put("windowStart", "\"2026-06-21T11:59:00Z\"");
        window.put("windowEnd", "\"2026-06-21T12:00:00Z\"");
        window.put("featureSpecVersion", "\"v1\"");
        window.put("featureNames", "[\"air_temperature_mean\",\"relative_humidity_mean\",\"co2_mean\",\"par_mean\"]");
        window.put("values", "[24.4,77.8,null,835.0]");
        window.put("sourceEventIds", "[\"9d1c7a44-0000-4000-8000-000000000001\"]");
        return window;
    }

    private static String json(Map<String, String> members, String extra) {
        List<String> parts = new ArrayList<>();
        members.forEach((name, value) -> parts.add("\"" + name + "\":" + value));
        return "{" + String.join(",", parts) + extra + "}";
    }

    /** 1 when the reader took a tree of {@code json} (and agreed), 0 otherwise. */
    private static int compare(String json) {
        int fast = 0;
        for (ObjectMapper mapper : List.of(EventJson.mapper(), LENIENT)) {
            JsonNode tree;
            try {
                tree = mapper.readTree(json);
            } catch (Exception notJson) {
                continue;
            }
            FeatureWindow read = WindowReader.read(tree);
            if (read == null) {
                continue;
            }
            Object full;
            try {
                full = PayloadCodec.bindFully(EventType.FEATURES_WINDOW, tree);
            } catch (EventException refused) {
                full = refused;
            }
            assertThat(full).as("the full path on the tree of %s", json).isEqualTo(read);
            fast = 1;
        }
        return fast;
    }
}
