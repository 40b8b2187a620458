package dev.greenloop.infer.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.greenloop.function.Problem;
import dev.greenloop.infer.InferException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every failure of the HTTP API as {@code application/problem+json}. */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @ServerExceptionMapper
    public Response infer(InferException e, @Context UriInfo uri) {
        Response.ResponseBuilder response = Response.status(e.status()).type(Problem.MEDIA_TYPE)
                .entity(Problem.of(e.problemType(), e.status(), e.getMessage(), uri.getPath(), e.errors()));
        if (e.status() == 503) {
            response.header("Retry-After", "10");
        }
        return response.build();
    }

    @ServerExceptionMapper
    public Response unreadable(JsonProcessingException e, @Context UriInfo uri) {
        return Response.status(400).type(Problem.MEDIA_TYPE).entity(Problem.of("invalid-request", 400,
                "the body is not JSON of the expected shape: " + e.getOriginalMessage(), uri.getPath(), null)).build();
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, @Context UriInfo uri) {
        int status = e.getResponse().getStatus();
        Throwable cause = e.getCause();
        String detail = cause instanceof JsonProcessingException j ? "the body is not JSON of the expected shape: "
                + j.getOriginalMessage() : e.getMessage();
        return Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(Problem.of(status == 404 ? "not-found" : "error", status, detail, uri.getPath(), null)).build();
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e, @Context UriInfo uri) {
        LOG.errorf(e, "Unexpected failure on %s", uri.getPath());
        return Response.status(500).type(Problem.MEDIA_TYPE).entity(Problem.of("internal-error", 500,
                "infer failed unexpectedly: " + e.getClass().getSimpleName(), uri.getPath(), null)).build();
    }
}
