package dev.greenloop.function;

import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

/**
 * The problem answers every function's HTTP API gives for failures that are not its own: a body
 * that is not JSON of the expected shape (400), JAX-RS's own refusals (404, 405, 415, ...) and
 * anything unexpected (500, logged with its stack). Each function's exception mapper delegates here.
 */
public final class ProblemResponses {

    private static final Logger LOG = Logger.getLogger(ProblemResponses.class);

    private ProblemResponses() {
    }

    public static Response unreadable(JsonProcessingException e, String path) {
        return Response.status(400).type(Problem.MEDIA_TYPE).entity(Problem.of("invalid-request", 400,
                "the body is not JSON of the expected shape: " + e.getOriginalMessage(), path, null)).build();
    }

    public static Response webApplication(WebApplicationException e, String path) {
        int status = e.getResponse().getStatus();
        Throwable cause = e.getCause();
        String detail = cause instanceof JsonProcessingException j ? "the body is not JSON of the expected shape: "
                + j.getOriginalMessage() : e.getMessage();
        return Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(Problem.of(status == 404 ? "not-found" : "error", status, detail, path, null)).build();
    }

    /** {@code function}: who failed, for the detail ("infer failed unexpectedly: ..."). */
    public static Response unexpected(String function, RuntimeException e, String path) {
        LOG.errorf(e, "Unexpected failure on %s", path);
        return Response.status(500).type(Problem.MEDIA_TYPE).entity(Problem.of("internal-error", 500,
                function + " failed unexpectedly: " + e.getClass().getSimpleName(), path, null)).build();
    }
}
