package dev.greenloop.testkit.http;

import org.junit.jupiter.api.Assertions;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 request written byte by byte on its own connection, for the requests an HTTP
 * client will not send: no Content-Type, two of them, a Content-Length that disagrees with the
 * body. Fails when no answer comes within {@link #TIMEOUT}, so a hang is a failed test.
 */
public final class RawHttp {

    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private RawHttp() {
    }

    /** The status, headers (lower-case names) and body of an answer. */
    public record Answer(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), "");
        }
    }

    /**
     * One row of a hostile-input table: a request body with its content type (none when null)
     * and more headers, and the answer expected, a problem with this status whose body contains
     * {@code detail}.
     */
    public record Case(String name, String contentType, Map<String, String> headers, String body, int status, String detail) {
        public Case(String name, String contentType, String body, int status, String detail) {
            this(name, contentType, Map.of(), body, status, detail);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** POSTs {@code c} to {@code path} and checks the answer is its problem: status, media type, detail. */
    public static void assertProblem(URL base, String path, Case c) throws IOException {
        Answer answer = send(base, "POST", path, c.contentType(), c.body().getBytes(StandardCharsets.UTF_8), c.headers());
        Assertions.assertEquals(c.status(), answer.status(), answer::toString);
        Assertions.assertTrue(answer.header("content-type").startsWith("application/problem+json"), answer::toString);
        Assertions.assertTrue(answer.body().contains(c.detail()), () -> "'" + c.detail() + "' not in " + answer);
    }

    /**
     * Sends {@code method path} to {@code base}'s host and port with {@code contentType} (none
     * when null), {@code headers} and {@code body} (no Content-Length header when null).
     */
    public static Answer send(URL base, String method, String path, String contentType, byte[] body,
                              Map<String, String> headers) throws IOException {
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
        if (contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("\r\n");
        return exchange(base, head.toString(), body);
    }

    /**
     * Sends {@code head} (request line and headers, ending in an empty line, as written) and
     * {@code body} (nothing when null): for what no client sends, a request line {@code HTTP/9.9}
     * or a Content-Length that is not a number.
     */
    public static Answer exchange(URL base, String head, byte[] body) throws IOException {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            InputStream in = socket.getInputStream();
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            String[] lines = text.substring(0, Math.max(end, 0)).split("\r\n");
            Map<String, String> parsed = new HashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    parsed.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
                }
            }
            int status = lines.length > 0 && lines[0].startsWith("HTTP/") ? Integer.parseInt(lines[0].split(" ")[1]) : -1;
            return new Answer(status, parsed, end < 0 ? text : text.substring(end + 4));
        }
    }

    /**
     * Opens a connection and sends a request head that announces {@code announced} body bytes
     * but only one: the server waits for the rest. The caller closes the socket.
     */
    public static Socket stalled(URL base, String path, int announced) throws IOException {
        return stalled(base, path, announced, Map.of());
    }

    /** As {@link #stalled(URL, String, int)}, with more request headers. */
    public static Socket stalled(URL base, String path, int announced, Map<String, String> headers) throws IOException {
        Socket s = new Socket(base.getHost(), base.getPort());
        StringBuilder head = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: localhost\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("Content-Type: application/json\r\nContent-Length: ").append(announced).append("\r\n\r\n{");
        s.getOutputStream().write(head.toString().getBytes(StandardCharsets.US_ASCII));
        return s;
    }
}
