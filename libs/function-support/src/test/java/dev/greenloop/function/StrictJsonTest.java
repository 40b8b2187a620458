package dev.greenloop.function;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a strict body is, case by case: each is a 400 that says what was wrong. */
class StrictJsonTest {

    record Body(String name, int count, double ratio, boolean on, Instant at, List<Double> values) {
    }

    static Stream<Arguments> refused() {
        String ok = "\"name\":\"a\",\"count\":1,\"ratio\":0.5,\"on\":true,\"at\":\"2026-01-01T00:00:00Z\",\"values\":[1.0]";
        return Stream.of(
                Arguments.of("empty", "", "the body is empty"),
                Arguments.of("JSON null", "null", "JSON null"),
                Arguments.of("not JSON", "{name", "not JSON"),
                Arguments.of("trailing content", "{" + ok + "} x", "not JSON"),
                Arguments.of("unknown field", "{" + ok + ",\"extra\":1}", "extra"),
                Arguments.of("duplicate key", "{" + ok + ",\"name\":\"b\"}", "Duplicate field 'name'"),
                Arguments.of("number for text", "{" + ok.replace("\"name\":\"a\"", "\"name\":7") + "}", "at /name"),
                Arguments.of("text for a number", "{" + ok.replace("\"count\":1", "\"count\":\"1\"") + "}", "at /count"),
                Arguments.of("float for an integer", "{" + ok.replace("\"count\":1", "\"count\":1.5") + "}", "at /count"),
                Arguments.of("number for a boolean", "{" + ok.replace("\"on\":true", "\"on\":1") + "}", "at /on"),
                Arguments.of("number for a time", "{" + ok.replace("\"at\":\"2026-01-01T00:00:00Z\"", "\"at\":5") + "}", "at /at"),
                Arguments.of("null for a primitive", "{" + ok.replace("\"count\":1", "\"count\":null") + "}", "at /count"),
                Arguments.of("NaN", "{" + ok.replace("\"ratio\":0.5", "\"ratio\":NaN") + "}", "not JSON"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusedBodiesSayWhy(String name, String body, String detail) {
        assertThatThrownBy(() -> StrictJson.read(body.getBytes(StandardCharsets.UTF_8), Body.class))
                .isInstanceOfSatisfying(StrictJson.BodyException.class, e -> assertThat(e.status()).isEqualTo(400))
                .hasMessageContaining(detail);
    }

    @ParameterizedTest(name = "nesting {0}")
    @MethodSource("depths")
    void nestingDeeperThanTheLimitIsRefused(int depth, boolean accepted) {
        byte[] body = ("[".repeat(depth) + "]".repeat(depth)).getBytes(StandardCharsets.UTF_8);
        if (accepted) {
            assertThat(StrictJson.read(body, JsonNode.class).isArray()).isTrue();
        } else {
            assertThatThrownBy(() -> StrictJson.read(body, JsonNode.class)).hasMessageContaining("nesting depth");
        }
    }

    static Stream<Arguments> depths() {
        return Stream.of(Arguments.of(StrictJson.MAX_NESTING, true), Arguments.of(StrictJson.MAX_NESTING + 1, false),
                Arguments.of(100_000, false));
    }
}
