package dev.greenloop.testkit.otlp;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.greenloop.testkit.TestkitException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP trace receiver ({@code POST /v1/traces}, {@code application/x-protobuf}, plain or
 * gzip), as a collector takes an exporter's spans: every export is decoded with the protocol's
 * own messages ({@code opentelemetry-proto}) and kept, for tests that follow a trace across
 * processes. Answers an export with an empty {@code ExportTraceServiceResponse}; anything else
 * with 404 or 415.
 */
public final class OtlpReceiver implements AutoCloseable {

    /** A span as received: the service that exported it, its ids (hex), name, kind, string attributes and times. */
    public record ReceivedSpan(String service, String traceId, String spanId, String parentSpanId, String name, String kind,
                               Map<String, String> attributes, List<String> linkedSpanIds, long startUnixNanos,
                               long endUnixNanos) {

        /** How long the span lasted, in milliseconds. */
        public double millis() {
            return (endUnixNanos - startUnixNanos) / 1e6;
        }
    }

    private final HttpServer server;
    private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();

    private OtlpReceiver(HttpServer server) {
        this.server = server;
    }

    public static OtlpReceiver start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            OtlpReceiver receiver = new OtlpReceiver(server);
            server.createContext("/", receiver::handle);
            server.setExecutor(Executors.newFixedThreadPool(2, r -> {
                Thread t = new Thread(r, "otlp-receiver");
                t.setDaemon(true);
                return t;
            }));
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new TestkitException(TestkitException.Kind.START_FAILED, "cannot start the OTLP receiver: " + e.getMessage(), e);
        }
    }

    /** The base URI an exporter is given ({@code http://127.0.0.1:PORT}); exports go to {@code /v1/traces}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public List<ReceivedSpan> spans() {
        return List.copyOf(spans);
    }

    /** The spans of one trace (32 hex digits). */
    public List<ReceivedSpan> trace(String traceId) {
        return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("POST") || !exchange.getRequestURI().getPath().equals("/v1/traces")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            String type = exchange.getRequestHeaders().getFirst("Content-Type");
            if (type == null || !type.startsWith("application/x-protobuf")) {
                exchange.sendResponseHeaders(415, -1);
                return;
            }
            InputStream body = exchange.getRequestBody();
            if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                body = new GZIPInputStream(body);
            }
            ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body.readAllBytes());
            for (ResourceSpans rs : request.getResourceSpansList()) {
                String service = attributes(rs.getResource().getAttributesList()).getOrDefault("service.name", "");
                for (ScopeSpans ss : rs.getScopeSpansList()) {
                    for (Span s : ss.getSpansList()) {
                        List<String> links = new ArrayList<>();
                        s.getLinksList().forEach(l -> links.add(hex(l.getSpanId())));
                        spans.add(new ReceivedSpan(service, hex(s.getTraceId()), hex(s.getSpanId()), hex(s.getParentSpanId()),
                                s.getName(), s.getKind().name(), attributes(s.getAttributesList()), links,
                                s.getStartTimeUnixNano(), s.getEndTimeUnixNano()));
                    }
                }
            }
            byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        }
    }

    private static Map<String, String> attributes(List<KeyValue> values) {
        Map<String, String> out = new TreeMap<>();
        for (KeyValue kv : values) {
            out.put(kv.getKey(), kv.getValue().hasStringValue() ? kv.getValue().getStringValue()
                    : kv.getValue().hasIntValue() ? Long.toString(kv.getValue().getIntValue()) : kv.getValue().toString().strip());
        }
        return out;
    }

    private static String hex(ByteString bytes) {
        return HexFormat.of().formatHex(bytes.toByteArray());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
