package dev.greenloop.events;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The CloudEvents attribute rules, table-driven. Among the invalid cases are the classes of the
 * CloudEvents conformance suite's invalid JSON-format events (time without seconds, hour-only
 * offsets, empty id, type, source, datacontenttype, dataschema and subject, a datacontenttype
 * that is no media type) and W3C Trace Context's.
 */
class CloudEventAttributesTest {

    private static Map<String, String> valid() {
        Map<String, String> a = new HashMap<>();
        a.put("specversion", "1.0");
        a.put("id", "evt-1");
        a.put("source", "/greenloop/infer");
        a.put("type", "dev.greenloop.prediction.v1");
        return a;
    }

    private static Map<String, String> with(String name, String value) {
        Map<String, String> a = valid();
        if (value == null) {
            a.remove(name);
        } else {
            a.put(name, value);
        }
        return a;
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("no specversion", with("specversion", null), "specversion"),
                Arguments.of("specversion 0.3", with("specversion", "0.3"), "specversion"),
                Arguments.of("no id", with("id", null), "id"),
                Arguments.of("empty id", with("id", ""), "id"),
                Arguments.of("id of 20,000 characters", with("id", "i".repeat(20_000)), "id"),
                Arguments.of("id with a newline", with("id", "a\nb"), "id"),
                Arguments.of("empty type", with("type", ""), "type"),
                Arguments.of("empty source", with("source", ""), "source"),
                Arguments.of("source that is no URI-reference", with("source", "a b"), "source"),
                Arguments.of("time without seconds", with("time", "2026-06-21T12:00Z"), "time"),
                Arguments.of("time with an hour-only offset", with("time", "2026-06-21T12:00:00+01"), "time"),
                Arguments.of("time on the 31st of February", with("time", "2026-02-31T12:00:00Z"), "time"),
                Arguments.of("empty subject", with("subject", ""), "subject"),
                Arguments.of("empty dataschema", with("dataschema", ""), "dataschema"),
                Arguments.of("relative dataschema", with("dataschema", "schema.json"), "dataschema"),
                Arguments.of("empty datacontenttype", with("datacontenttype", ""), "datacontenttype"),
                Arguments.of("datacontenttype xyz", with("datacontenttype", "xyz"), "datacontenttype"),
                Arguments.of("datacontenttype with empty parameters", with("datacontenttype", "application/json;;;"),
                        "datacontenttype"),
                Arguments.of("traceparent of garbage", with("traceparent", "garbage"), "traceparent"),
                Arguments.of("traceparent of zeros", with("traceparent",
                        "00-00000000000000000000000000000000-00f067aa0ba902b7-01"), "traceparent"),
                Arguments.of("traceparent in upper case", with("traceparent",
                        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01"), "traceparent"),
                Arguments.of("tracestate of 6,000 characters", with("tracestate", "a=" + "b".repeat(6000)), "tracestate"),
                Arguments.of("tracestate member without a value", with("tracestate", "vendor"), "tracestate"),
                Arguments.of("extension name with upper case", with("greenhouseId", "gh-1"), "greenhouseId"),
                Arguments.of("extension name of 21 characters", with("a".repeat(21), "x"), "aaaa"),
                Arguments.of("extension of 20,000 characters", with("causationid", "c".repeat(20_000)), "causationid"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void invalidAttributesAreRefusedByName(String name, Map<String, String> attributes, String attribute) {
        assertThatThrownBy(() -> CloudEventAttributes.check(attributes))
                .isInstanceOfSatisfying(EventException.class, e -> {
                    assertThat(e.kind()).isEqualTo(EventException.Kind.INVALID_ATTRIBUTE);
                    assertThat(e.getMessage()).contains(attribute);
                    assertThat(e.getMessage().length()).as("the message quotes a clipped value").isLessThan(400);
                });
    }

    static Stream<Arguments> validVariants() {
        return Stream.of(
                Arguments.of("the minimum", valid()),
                Arguments.of("time with fractions and an offset", with("time", "2026-06-21T12:00:00.123456+02:00")),
                Arguments.of("datacontenttype with a charset", with("datacontenttype", "application/json; charset=utf-8")),
                Arguments.of("absolute dataschema", with("dataschema", "https://greenloop.dev/schemas/prediction.v1")),
                Arguments.of("W3C traceparent", with("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")),
                Arguments.of("W3C tracestate", with("tracestate", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")),
                Arguments.of("Knative's extensions", with("knativearrivaltime", "2026-06-21T12:00:00.5Z")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validVariants")
    void validAttributesPass(String name, Map<String, String> attributes) {
        assertThatCode(() -> CloudEventAttributes.check(attributes)).doesNotThrowAnyException();
    }
}
