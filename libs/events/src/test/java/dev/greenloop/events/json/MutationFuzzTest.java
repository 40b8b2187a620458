package dev.greenloop.events.json;

import dev.greenloop.events.CloudEventAttributes;
import dev.greenloop.events.EventException;
import dev.greenloop.events.EventType;
import dev.greenloop.events.TestEvents;
import dev.greenloop.events.payload.EventPayload;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded mutation fuzzing of what the functions parse first: valid payloads and structured
 * events with bytes flipped, cut, repeated, or spliced with hostile tokens (1e999999, -0, NaN,
 * deep nesting, control characters, huge strings, nulls). Whatever comes out, the parsers
 * either accept it or throw {@link EventException} (a 400): never another exception, which a
 * function would answer with a 500 that Knative retries.
 */
class MutationFuzzTest {

    private static final int ROUNDS = 1500;
    private static final String[] TOKENS = {"1e9999999999", "-1e400", "NaN", "null", "-0", "[]", "{}", "\"\"",
            "[".repeat(3000), "\"\\u0000\"", "\"" + "x".repeat(70_000) + "\"", "true", "0.0000000001e-99999",
            "\"2026-02-31T25:61:00Z\"", "\"\\ud800\"", "9223372036854775808", ",", ":", "}", "]"};

    static Stream<Arguments> seeds() {
        return Stream.of(
                Arguments.of(EventType.SENSOR_READINGS, TestEvents.readingsBatch(), 11L),
                Arguments.of(EventType.FEATURES_WINDOW, TestEvents.featureWindow(), 12L),
                Arguments.of(EventType.PREDICTION, TestEvents.prediction(), 13L),
                Arguments.of(EventType.DATASET_READY, TestEvents.datasetReady(), 14L),
                Arguments.of(EventType.CONTROL_COMMAND, TestEvents.controlCommand(), 15L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("seeds")
    void mutatedPayloadsAreAcceptedOrInvalidEventsNeverCrashes(EventType type, EventPayload valid, long seed) {
        byte[] original = PayloadCodec.write(valid);
        Random random = new Random(seed);
        int refused = 0;
        for (int round = 0; round < ROUNDS; round++) {
            byte[] mutated = mutate(original, random);
            try {
                PayloadCodec.read(type, mutated);
            } catch (EventException expected) {
                refused++;
            } catch (RuntimeException e) {
                throw new AssertionError("round " + round + " (seed " + seed + ") crashed with " + e + " on: "
                        + clip(new String(mutated, StandardCharsets.UTF_8)), e);
            }
        }
        assertThat(refused).as("most mutations break the payload").isGreaterThan(ROUNDS / 2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("seeds")
    void mutatedStructuredEventsAreAcceptedOrInvalidNeverCrashes(EventType type, EventPayload valid, long seed) {
        String envelope = "{\"specversion\":\"1.0\",\"id\":\"e-1\",\"source\":\"/greenloop/test\",\"type\":\""
                + type.type() + "\",\"time\":\"2026-06-21T12:00:00Z\",\"traceparent\":"
                + "\"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\",\"data\":"
                + new String(PayloadCodec.write(valid), StandardCharsets.UTF_8) + "}";
        byte[] original = envelope.getBytes(StandardCharsets.UTF_8);
        Random random = new Random(seed * 31);
        for (int round = 0; round < ROUNDS; round++) {
            byte[] mutated = mutate(original, random);
            try {
                CloudEventAttributes.checkEnvelope(PayloadCodec.parse(mutated));
            } catch (EventException expected) {
                // refused: a 400
            } catch (RuntimeException e) {
                throw new AssertionError("round " + round + " (seed " + seed + ") crashed with " + e + " on: "
                        + clip(new String(mutated, StandardCharsets.UTF_8)), e);
            }
        }
    }

    /** One to three mutations: flip, cut, repeat, or splice a hostile token at a random place. */
    static byte[] mutate(byte[] original, Random random) {
        String text = new String(original, StandardCharsets.UTF_8);
        int times = 1 + random.nextInt(3);
        for (int i = 0; i < times && !text.isEmpty(); i++) {
            int at = random.nextInt(text.length());
            switch (random.nextInt(5)) {
                case 0 -> text = text.substring(0, at) + (char) random.nextInt(128) + text.substring(Math.min(text.length(), at + 1));
                case 1 -> text = text.substring(0, at);
                case 2 -> {
                    int end = Math.min(text.length(), at + 1 + random.nextInt(40));
                    text = text.substring(0, end) + text.substring(at, end) + text.substring(end);
                }
                default -> {
                    int end = Math.min(text.length(), at + random.nextInt(12));
                    text = text.substring(0, at) + TOKENS[random.nextInt(TOKENS.length)] + text.substring(end);
                }
            }
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String clip(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "…";
    }
}
