package dev.greenloop.function.base;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.stream.Collectors;

/**
 * Every failure of a function's HTTP API (control, infer, ingest) as {@code application/problem+json}:
 * a {@link FunctionException} by its kind, a body that is not JSON of the expected shape as a 400
 * that says where (Quarkus' own answer is an empty 400), JAX-RS's own refusals (404, 405, 415...)
 * by their status, and anything unexpected as a 500 that names no internals (logged with its stack).
 * RESTEasy Reactive finds it in this library's index; functions without an HTTP API never load it.
 */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);
    private static final int MAX_DETAIL = 300;

    @ServerExceptionMapper
    public Response function(FunctionException e, @Context UriInfo uri) {
        Response.ResponseBuilder response = Response.status(e.status()).type(Problem.MEDIA_TYPE)
                .entity(Problem.of(e.problemType(), e.kind().title(), e.status(), e.getMessage(), uri.getPath(), e.errors()));
        if (e.retryAfterSeconds() != null) {
            response.header(HttpHeaders.RETRY_AFTER, e.retryAfterSeconds());
        }
        if (e.status() == 401) {
            response.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"greenloop\"");
        }
        return response.build();
    }

    @ServerExceptionMapper(priority = 1)
    public Response mismatched(MismatchedInputException e, @Context UriInfo uri) {
        return unreadable(e, uri.getPath());
    }

    @ServerExceptionMapper(priority = 1)
    public Response notJson(JsonParseException e, @Context UriInfo uri) {
        return unreadable(e, uri.getPath());
    }

    @ServerExceptionMapper(priority = 1)
    public Response tooDeep(StreamConstraintsException e, @Context UriInfo uri) {
        return unreadable(e, uri.getPath());
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e, @Context UriInfo uri) {
        return unreadable(e, uri.getPath());
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, @Context UriInfo uri) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return unreadable(json, uri.getPath());
        }
        int status = e.getResponse().getStatus();
        Response.Status known = Response.Status.fromStatusCode(status);
        String type = status == 404 ? "not-found" : status == 405 ? "method-not-allowed"
                : status == 415 ? "unsupported-media-type" : status == 406 ? "not-acceptable" : "error";
        return Response.status(status).type(Problem.MEDIA_TYPE).entity(Problem.of(type,
                known != null ? known.getReasonPhrase() : type, status, e.getMessage(), uri.getPath(), null)).build();
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e, @Context UriInfo uri) {
        LOG.errorf(e, "Unexpected failure on %s", uri.getPath());
        String function = ConfigProvider.getConfig().getOptionalValue("quarkus.application.name", String.class)
                .orElse("the function");
        return Response.status(500).type(Problem.MEDIA_TYPE).entity(Problem.of("internal-error", 500,
                function + " failed unexpectedly (" + e.getClass().getSimpleName()
                        + "); nothing of this request was acted on", uri.getPath(), null)).build();
    }

    /** A 400 naming where in the body the JSON went wrong, its first line cut to a readable length. */
    static Response unreadable(JsonProcessingException e, String path) {
        String message = String.valueOf(e.getOriginalMessage());
        int cut = message.indexOf('\n');
        message = cut < 0 ? message : message.substring(0, cut);
        String where = e instanceof JsonMappingException m && !m.getPath().isEmpty() ? " at /" + m.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()))
                .collect(Collectors.joining("/")) : "";
        return Response.status(400).type(Problem.MEDIA_TYPE).entity(Problem.of("invalid-request", 400,
                "the body is not JSON of the expected shape" + where + ": "
                        + (message.length() > MAX_DETAIL ? message.substring(0, MAX_DETAIL) + "…" : message),
                path, null)).build();
    }
}
