package dev.greenloop.ingest.http;

import dev.greenloop.ingest.IngestConfig;
import dev.greenloop.ingest.IngestException;
import dev.greenloop.ingest.IngestException.Kind;
import jakarta.ws.rs.container.ContainerRequestContext;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Ingest's front door for requests with a body, before any resource reads it: one Content-Type
 * (two are 400), a well-formed one that ingest takes (JSON on the HTTP API; JSON or a
 * CloudEvents format on {@code /}), no Content-Encoding (415: the body is read as it comes, so
 * a gzip body would be taken for broken JSON), and a declared length within the body limit (413).
 * All of it is decided from the headers: a refused body is never read into memory. (Room for the
 * body in the instance's memory is checked before this, by {@code BodyBudget}.)
 */
public class RequestDoor {

    private static final Set<String> WITH_BODY = Set.of("POST", "PUT", "PATCH");
    private static final String CHARSET = "(\\s*;\\s*charset=(\"?[A-Za-z0-9._-]+\"?))?";
    private static final Pattern JSON = Pattern.compile("application/json" + CHARSET, Pattern.CASE_INSENSITIVE);
    private static final Pattern EVENTS = Pattern.compile(
            "application/(json|cloudevents\\+json|cloudevents-batch\\+json)" + CHARSET, Pattern.CASE_INSENSITIVE);

    private final long maxBodyBytes;

    public RequestDoor(IngestConfig config) {
        this.maxBodyBytes = config.limits().maxBodyBytes();
    }

    @ServerRequestFilter(preMatching = true)
    public void check(ContainerRequestContext request) {
        if (!WITH_BODY.contains(request.getMethod())) {
            return;
        }
        List<String> types = request.getHeaders().get("Content-Type");
        if (types != null && types.size() > 1) {
            throw IngestException.of(Kind.MALFORMED, "Content-Type is given " + types.size() + " times; give it once");
        }
        String encoding = request.getHeaderString("Content-Encoding");
        if (encoding != null && !encoding.strip().equalsIgnoreCase("identity")) {
            throw IngestException.of(Kind.UNSUPPORTED_MEDIA_TYPE, "Content-Encoding '" + clip(encoding)
                    + "' is not accepted: send the body uncompressed");
        }
        String type = types == null || types.isEmpty() ? null : types.get(0).strip();
        boolean events = "/".equals(request.getUriInfo().getPath());
        // Quarkus REST reports a missing Content-Type as */*.
        if (type == null || type.equals("*/*")) {
            throw IngestException.of(Kind.UNSUPPORTED_MEDIA_TYPE, "the body has no Content-Type: send "
                    + (events ? "a CloudEvent (application/json with ce-* headers, or application/cloudevents+json)"
                    : "application/json"));
        }
        if (!(events ? EVENTS : JSON).matcher(type).matches()) {
            throw IngestException.of(Kind.UNSUPPORTED_MEDIA_TYPE, "Content-Type '" + clip(type) + "' is not accepted: send "
                    + (events ? "application/json, application/cloudevents+json or application/cloudevents-batch+json"
                    : "application/json") + " (a charset parameter at most)");
        }
        long declared = declaredLength(request.getHeaderString("Content-Length"));
        if (declared > maxBodyBytes) {
            throw IngestException.of(Kind.TOO_LARGE, "the body has " + declared + " bytes; at most " + maxBodyBytes
                    + " are accepted");
        }
    }

    /** The Content-Length, or -1 when the body's length is not declared (chunked). */
    private static long declaredLength(String header) {
        if (header == null) {
            return -1;
        }
        try {
            long length = Long.parseLong(header.strip());
            if (length < 0) {
                throw new NumberFormatException();
            }
            return length;
        } catch (NumberFormatException e) {
            throw IngestException.of(Kind.MALFORMED, "Content-Length '" + clip(header) + "' is not a length in bytes");
        }
    }

    private static String clip(String value) {
        String printable = value.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() <= 60 ? printable : printable.substring(0, 60) + "…";
    }
}
