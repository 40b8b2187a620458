package dev.greenloop.testkit.http;

import org.junit.jupiter.api.Assertions;

import java.io.IOException;
import java.net.URL;
import java.util.List;
import java.util.Map;

/**
 * Requests the HTTP layer (Vert.x' codec) answers before any route sees them, the same for every
 * function: a request line of an unknown version, a Content-Length that is not a number, a
 * request line or headers beyond the limits. Each case is the raw head and the status expected;
 * each function's hostile-input test runs them and checks the answer comes at once and that the
 * function still serves afterwards.
 */
public final class HttpLayerCases {

    private HttpLayerCases() {
    }

    /**
     * One raw request: its head as written on the wire, the status answered and whether the
     * answer is a problem body (the function's own door) or empty (Vert.x' codec, which Quarkus
     * gives no hook to).
     */
    public record Case(String name, String head, int status, boolean problem) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** The cases, for {@code path} (a POST route of the function). */
    public static List<Case> cases(String path) {
        return List.of(
                new Case("request line HTTP/9.9", "GET /q/health/live HTTP/9.9\r\nHost: localhost\r\n\r\n", 505, true),
                new Case("Content-Length not a number", "POST " + path + " HTTP/1.1\r\nHost: localhost\r\n"
                        + "Content-Type: application/json\r\nContent-Length: ten\r\n\r\n", 400, false),
                new Case("two different Content-Lengths", "POST " + path + " HTTP/1.1\r\nHost: localhost\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\n{}", 400, false),
                new Case("request line of 20,000 characters", "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n",
                        414, false),
                new Case("a header of 40,000 characters", "GET /q/health/live HTTP/1.1\r\nHost: localhost\r\nX-Big: "
                        + "b".repeat(40_000) + "\r\n\r\n", 431, false),
                new Case("a request line that is not HTTP", "HELLO\r\n\r\n", 400, false),
                new Case("request line HTTP/1.2", "GET /q/health/live HTTP/1.2\r\nHost: localhost\r\n\r\n", 505, true));
    }

    /**
     * Sends {@code c} and checks it is answered at once with its status (a problem body or an empty
     * one, as the case says), and that {@code base} still answers its liveness check afterwards.
     */
    public static void assertAnsweredAtOnce(URL base, Case c) throws IOException {
        RawHttp.Answer answer = RawHttp.exchange(base, c.head(), null);
        Assertions.assertEquals(c.status(), answer.status(), answer::toString);
        Assertions.assertEquals(c.problem(), answer.header("content-type").startsWith("application/problem+json"),
                answer::toString);
        Assertions.assertEquals(200, RawHttp.send(base, "GET", "/q/health/live", null, null, Map.of()).status());
    }
}
