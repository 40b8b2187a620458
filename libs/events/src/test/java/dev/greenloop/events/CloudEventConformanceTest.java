package dev.greenloop.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.events.json.EventJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The CloudEvents project's JSON-format conformance events (vendored in
 * {@code src/test/resources/cloudevents-conformance}): every invalid one is refused by
 * {@link CloudEventAttributes}, every valid one passes.
 */
class CloudEventConformanceTest {

    private static Stream<Arguments> tests(String file) throws IOException {
        try (InputStream in = CloudEventConformanceTest.class.getResourceAsStream("/cloudevents-conformance/" + file)) {
            JsonNode suite = EventJson.mapper().readTree(in);
            List<Arguments> out = new ArrayList<>();
            suite.get("tests").forEach(t -> out.add(Arguments.of(t.get("id").asText(), t.get("event"))));
            return out.stream();
        }
    }

    static Stream<Arguments> invalid() throws IOException {
        return tests("invalid-events.json");
    }

    static Stream<Arguments> valid() throws IOException {
        return tests("valid-events.json");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void invalidEventsAreRefused(String id, JsonNode event) {
        assertThatThrownBy(() -> CloudEventAttributes.checkEnvelope(event, false)).isInstanceOf(EventException.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void validEventsPass(String id, JsonNode event) {
        assertThatCode(() -> CloudEventAttributes.checkEnvelope(event, false)).doesNotThrowAnyException();
    }

    @Test
    void theSuiteHasTwentyFiveInvalidAndTenValidEvents() throws IOException {
        assertThat(invalid().count()).isEqualTo(25);
        assertThat(valid().count()).isEqualTo(10);
    }
}
