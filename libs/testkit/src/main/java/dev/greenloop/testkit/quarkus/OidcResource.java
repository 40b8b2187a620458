package dev.greenloop.testkit.quarkus;

import dev.greenloop.testkit.oidc.OidcIssuer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.restassured.RestAssured;
import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;

import java.util.List;
import java.util.Map;

/**
 * {@code @WithTestResource(value = OidcResource.class, initArgs = @ResourceArg(name = "audience", value = "greenloop-x"))}:
 * the function verifies senders against the test kit's {@link OidcIssuer}, and every RestAssured
 * request to the CloudEvents endpoint ({@code POST /}) that carries no {@code Authorization}
 * header gets a valid token for the audience, as Knative's Triggers and Sources send one. A
 * request with the header {@value #NO_TOKEN} goes without (the header itself is dropped).
 *
 * <p>Quarkus loads the test kit anew for each application it starts, while RestAssured's filters
 * outlive it: each start replaces the filter of the application before.
 */
public class OidcResource implements QuarkusTestResourceLifecycleManager {

    /** Send this header (any value) to post without a token. */
    public static final String NO_TOKEN = "x-test-no-token";
    private String audience = "greenloop";

    @Override
    public void init(Map<String, String> initArgs) {
        audience = initArgs.getOrDefault("audience", audience);
    }

    @Override
    public Map<String, String> start() {
        OidcIssuer issuer = OidcIssuer.shared();
        List<Filter> others = RestAssured.filters().stream()
                .filter(f -> !f.getClass().getName().equals(SenderTokenFilter.class.getName())).toList();
        RestAssured.replaceFiltersWith(others);
        RestAssured.filters(new SenderTokenFilter(issuer, audience));
        return Map.of("greenloop.events.oidc.issuer", issuer.issuer().toString());
    }

    @Override
    public void stop() {
        RestAssured.replaceFiltersWith(RestAssured.filters().stream()
                .filter(f -> !f.getClass().getName().equals(SenderTokenFilter.class.getName())).toList());
    }

    /** Adds a token for the audience to CloudEvents posts that have none. */
    static final class SenderTokenFilter implements Filter {
        private final OidcIssuer issuer;
        private final String audience;

        SenderTokenFilter(OidcIssuer issuer, String audience) {
            this.issuer = issuer;
            this.audience = audience;
        }

        @Override
        public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification response,
                               FilterContext context) {
            boolean events = request.getMethod().equals("POST") && (request.getDerivedPath().isEmpty()
                    || request.getDerivedPath().equals("/"));
            if (request.getHeaders().hasHeaderWithName(NO_TOKEN)) {
                request.removeHeader(NO_TOKEN);
            } else if (events && !request.getHeaders().hasHeaderWithName("Authorization")) {
                request.header("Authorization", "Bearer " + issuer.token(audience));
            }
            return context.next(request, response);
        }
    }
}
