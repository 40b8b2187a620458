package dev.greenloop.function.base;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Answers a request of an HTTP version the functions do not speak (a request line
 * {@code HTTP/9.9} or {@code HTTP/1.2}: Vert.x' codec passes it on with no version) with a
 * 505 problem, before any route of the application runs. Requests the codec itself refuses (a
 * Content-Length that is not a number, a request line or headers over the limits) are answered by
 * Vert.x with 400, 414 or 431 and an empty body: Quarkus gives no hook to that answer.
 */
@ApplicationScoped
public class ProtocolDoor {

    /** Before every other handler of the application's routes. */
    static final int ORDER = -3000;
    private static final ObjectMapper JSON = new ObjectMapper();

    void install(@Observes Router router) {
        router.route().order(ORDER).handler(this::check);
    }

    void check(RoutingContext context) {
        if (context.request().version() != null) {
            context.next();
            return;
        }
        // Vert.x knows HTTP/1.0, HTTP/1.1 and HTTP/2 and reports any other version as none.
        String body = json(Problem.of("http-version-not-supported", 505,
                "greenloop's functions speak HTTP/1.0, HTTP/1.1 and HTTP/2", context.request().path(), null));
        context.response().setStatusCode(505).putHeader("Content-Type", Problem.MEDIA_TYPE).putHeader("Connection", "close")
                .end(body);
    }

    /**
     * For an answer given before the request's body is read: an HTTP/1 connection is closed once
     * the answer is sent (Vert.x would otherwise wait for the rest of the body, and what the client
     * still sends could be taken for its next request); on HTTP/2 the answer ends only the stream.
     */
    public static void closeAfterAnswer(RoutingContext context) {
        if (context.request().version() != HttpVersion.HTTP_2) {
            context.response().putHeader("Connection", "close");
            context.addEndHandler(ended -> context.request().connection().close());
        }
    }

    /** A problem as the body of an answer written before any JAX-RS mapper can run. */
    public static String json(Problem problem) {
        try {
            return JSON.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            return "";
        }
    }
}
