package dev.greenloop.function;

import dev.greenloop.function.base.FunctionException;
import dev.greenloop.function.base.ProblemKind;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The front door of the functions' HTTP APIs (every path but the CloudEvents endpoint {@code /}):
 * a request with a body declares it exactly once as {@code application/json} (a charset
 * parameter at most) and uncompressed. Anything else is answered before a resource reads a
 * byte: no body (400: Quarkus REST would wait for a body of length 0 until the idle timeout), no
 * Content-Type, another type or an unparseable one (415), two Content-Type headers (400), a
 * Content-Encoding (415).
 */
@ApplicationScoped
public class JsonRequests {

    /** Before every route of the application (Reactive Routes and Funqy are added without an order). */
    static final int ORDER = -1;
    private static final Set<HttpMethod> WITH_BODY = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH);
    private static final Pattern JSON = Pattern.compile("application/json(\\s*;\\s*charset=(\"?[A-Za-z0-9._-]+\"?))?",
            Pattern.CASE_INSENSITIVE);

    void install(@Observes Router router) {
        router.route().order(ORDER).handler(this::check);
    }

    void check(RoutingContext context) {
        if (!WITH_BODY.contains(context.request().method()) || "/".equals(context.normalizedPath())) {
            context.next();
            return;
        }
        List<String> types = context.request().headers().getAll("Content-Type");
        String length = context.request().getHeader("Content-Length");
        boolean body = (length != null && !"0".equals(length.strip())) || context.request().getHeader("Transfer-Encoding") != null;
        String encoding = context.request().getHeader("Content-Encoding");
        RequestRefused refused = null;
        if (types.size() > 1) {
            refused = new RequestRefused(400, "Content-Type is given " + types.size() + " times; give it once");
        } else if (!body) {
            refused = new RequestRefused(400, "the body is empty: send a JSON object (Content-Type: application/json)");
        } else if (types.isEmpty()) {
            refused = new RequestRefused(415, "the body has no Content-Type: send it as application/json");
        } else if (types.size() == 1 && !JSON.matcher(types.get(0).strip()).matches()) {
            refused = new RequestRefused(415, "Content-Type '" + clip(types.get(0))
                    + "' is not accepted: send application/json");
        } else if (encoding != null && !encoding.strip().equalsIgnoreCase("identity")) {
            refused = new RequestRefused(415, "Content-Encoding '" + clip(encoding)
                    + "' is not accepted: send the body uncompressed");
        }
        if (refused != null) {
            context.fail(refused.status(), refused);
            return;
        }
        context.next();
    }

    private static String clip(String value) {
        String printable = value.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() <= 60 ? printable : printable.substring(0, 60) + "…";
    }

    /** A request refused at the door. */
    static final class RequestRefused extends FunctionException {
        RequestRefused(int status, String message) {
            super(ProblemKind.of(status, status == 415 ? "unsupported-media-type" : "invalid-request"), message, null);
        }
    }
}
