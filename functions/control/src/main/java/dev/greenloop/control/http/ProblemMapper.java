package dev.greenloop.control.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.greenloop.control.ControlException;
import dev.greenloop.function.Problem;
import dev.greenloop.function.ProblemResponses;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every failure of the HTTP API as {@code application/problem+json}. */
public class ProblemMapper {

    @ServerExceptionMapper
    public Response control(ControlException e, @Context UriInfo uri) {
        Response.ResponseBuilder response = Response.status(e.status()).type(Problem.MEDIA_TYPE)
                .entity(Problem.of(e.problemType(), e.status(), e.getMessage(), uri.getPath(), null));
        if (e.status() == 401) {
            response.header("WWW-Authenticate", "Bearer realm=\"greenloop-control\"");
        } else if (e.status() == 503) {
            response.header("Retry-After", "10");
        }
        return response.build();
    }

    @ServerExceptionMapper
    public Response unreadable(JsonProcessingException e, @Context UriInfo uri) {
        return ProblemResponses.unreadable(e, uri.getPath());
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, @Context UriInfo uri) {
        return ProblemResponses.webApplication(e, uri.getPath());
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e, @Context UriInfo uri) {
        return ProblemResponses.unexpected("control", e, uri.getPath());
    }
}
