package dev.greenloop.ingest.http;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.greenloop.ingest.IngestException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns every failure into {@code application/problem+json}: {@link IngestException} by its
 * kind, JAX-RS errors (unknown path, wrong method) by their status, anything else as a 500 that
 * names no internals.
 */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @ServerExceptionMapper
    public Response ingest(IngestException e, @Context UriInfo uri) {
        Response.ResponseBuilder response = Response.status(e.kind().status())
                .type(Problem.MEDIA_TYPE)
                .entity(Problem.of(e, uri.getPath()));
        if (e.retryAfterSeconds() != null) {
            response.header(HttpHeaders.RETRY_AFTER, e.retryAfterSeconds());
        }
        if (e.kind() == IngestException.Kind.UNAUTHENTICATED) {
            response.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"greenloop\"");
        }
        return response.build();
    }

    /**
     * A JSON body of the wrong shape (wrong types, unknown fields, trailing content, nesting beyond
     * {@link StrictMapper#MAX_NESTING}): Quarkus' own answer is an empty 400.
     */
    @ServerExceptionMapper(priority = 1)
    public Response mismatched(MismatchedInputException e, @Context UriInfo uri) {
        return unreadable(e, uri);
    }

    @ServerExceptionMapper(priority = 1)
    public Response notJson(JsonParseException e, @Context UriInfo uri) {
        return unreadable(e, uri);
    }

    @ServerExceptionMapper(priority = 1)
    public Response tooDeep(StreamConstraintsException e, @Context UriInfo uri) {
        return unreadable(e, uri);
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e, @Context UriInfo uri) {
        return unreadable(e, uri);
    }

    private static Response unreadable(JsonProcessingException e, UriInfo uri) {
        String message = e.getOriginalMessage();
        int cut = message.indexOf('\n');
        message = cut < 0 ? message : message.substring(0, cut);
        String where = e instanceof JsonMappingException m && !m.getPath().isEmpty() ? " at /" + m.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()))
                .collect(java.util.stream.Collectors.joining("/")) : "";
        return Response.status(400).type(Problem.MEDIA_TYPE)
                .entity(new Problem("about:blank", "Malformed request", 400, "the body is not JSON of the expected shape"
                        + where + ": " + (message.length() > 300 ? message.substring(0, 300) + "…" : message),
                        uri.getPath(), null))
                .build();
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, @Context UriInfo uri) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return unreadable(json, uri);
        }
        int status = e.getResponse().getStatus();
        Response.Status known = Response.Status.fromStatusCode(status);
        return Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(new Problem("about:blank", known != null ? known.getReasonPhrase() : "Error", status,
                        e.getMessage(), uri.getPath(), null))
                .build();
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e, @Context UriInfo uri) {
        LOG.errorf(e, "Unexpected failure on %s", uri.getPath());
        return Response.status(500).type(Problem.MEDIA_TYPE)
                .entity(new Problem("about:blank", "Internal error", 500,
                        "ingest failed unexpectedly; nothing of this request was acknowledged", uri.getPath(), null))
                .build();
    }
}
