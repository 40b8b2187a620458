package dev.greenloop.ingest.http;

import dev.greenloop.ingest.IngestMetrics;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/** Times every request of the intake endpoints, by endpoint and status. */
public class RequestTiming {

    private static final String START = "greenloop.start";

    private final IngestMetrics metrics;

    public RequestTiming(IngestMetrics metrics) {
        this.metrics = metrics;
    }

    @ServerRequestFilter(preMatching = true)
    public void start(ContainerRequestContext request) {
        request.setProperty(START, System.nanoTime());
    }

    @ServerResponseFilter
    public void stop(ContainerRequestContext request, ContainerResponseContext response) {
        Object start = request.getProperty(START);
        String path = request.getUriInfo().getPath();
        if (start instanceof Long nanos && "POST".equals(request.getMethod())) {
            String endpoint = path.equals("/") ? "cloudevents" : path.startsWith("/v1/admin") ? "admin" : "readings";
            metrics.request(endpoint, response.getStatus(), nanos);
        }
    }
}
