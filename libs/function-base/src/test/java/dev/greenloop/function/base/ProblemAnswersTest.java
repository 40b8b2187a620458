package dev.greenloop.function.base;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The problem answers every function gives: status, type, retry hint and where a body went wrong. */
class ProblemAnswersTest {

    enum Kind implements ProblemKind {
        @HttpStatus(503) STORE_UNAVAILABLE,
        @HttpStatus(429) RATE_LIMITED,
        @HttpStatus(204) NO_REPLY
    }

    enum Unannotated implements ProblemKind {
        @HttpStatus(400) FINE,
        FORGOTTEN
    }

    static final class TestException extends FunctionException {
        TestException(Kind kind, String message, List<?> errors, Integer retryAfter) {
            super(kind, message, errors, retryAfter, null);
        }
    }

    record Sample(int count, String name) {
    }

    @Test
    void aKindNamesItsProblemTypeAndA503WaitsTenSecondsUnlessToldOtherwise() {
        TestException down = new TestException(Kind.STORE_UNAVAILABLE, "MongoDB did not answer", List.of(), null);
        assertThat(down.problemType()).isEqualTo("store-unavailable");
        assertThat(down.status()).isEqualTo(503);
        assertThat(down.retryAfterSeconds()).isEqualTo(FunctionException.DEFAULT_RETRY_AFTER_SECONDS);
        assertThat(new TestException(Kind.RATE_LIMITED, "slow down", List.of(), 3).retryAfterSeconds()).isEqualTo(3);
        assertThat(new TestException(Kind.NO_REPLY, "nothing", List.of(), null).retryAfterSeconds()).isNull();
        assertThat(ProblemKind.of(415, "unsupported-media-type").problemType()).isEqualTo("unsupported-media-type");
    }

    @Test
    void eachConstantHasItsOwnStatusAndOneWithoutIsAnErrorThatNamesIt() {
        assertThat(Kind.RATE_LIMITED.status()).isEqualTo(429);
        assertThat(Kind.RATE_LIMITED.retriable()).isTrue();
        assertThat(Kind.NO_REPLY.retriable()).isFalse();
        assertThatThrownBy(Unannotated.FINE::status).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("FORGOTTEN has no @HttpStatus");
    }

    @Test
    void aProblemCarriesItsTypeUriAndLeavesOutEmptyErrors() throws Exception {
        Map<String, Object> json = new ObjectMapper().convertValue(Problem.of("invalid-request", 400, "bad", "/v1/x", List.of()), new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { });
        assertThat(json).containsEntry("type", "https://greenloop.dev/problems/invalid-request")
                .containsEntry("title", "invalid-request").containsEntry("status", 400).doesNotContainKey("errors");
    }

    @Test
    void aBodyOfTheWrongShapeIsA400ThatSaysWhere() {
        JsonProcessingException wrong = catchThrowableOfType(JsonProcessingException.class,
                () -> new ObjectMapper().readValue("{\"count\":\"many\",\"name\":\"x\"}", Sample.class));
        Response answer = ProblemMapper.unreadable(wrong, "/v1/predict");
        assertThat(answer.getStatus()).isEqualTo(400);
        Problem problem = (Problem) answer.getEntity();
        assertThat(problem.type()).endsWith("/invalid-request");
        assertThat(problem.detail()).startsWith("the body is not JSON of the expected shape at /count: ")
                .doesNotContain("\n");
        assertThat(problem.instance()).isEqualTo("/v1/predict");
    }
}
