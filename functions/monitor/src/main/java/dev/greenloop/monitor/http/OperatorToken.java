package dev.greenloop.monitor.http;

import dev.greenloop.monitor.MonitorConfig;
import dev.greenloop.monitor.MonitorException;
import dev.greenloop.monitor.MonitorException.Kind;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** The operator's Bearer token, which opens monitor's HTTP API; without one configured the API is off. */
@ApplicationScoped
public class OperatorToken {

    private final MonitorConfig config;

    public OperatorToken(MonitorConfig config) {
        this.config = config;
    }

    /** Refuses the request (401, or 403 when the API is off) unless it carries the operator token. */
    public void require(String authorization) {
        String expected = config.operatorToken().filter(t -> !t.isBlank()).orElseThrow(() -> new MonitorException(
                Kind.FORBIDDEN, "the operator API is off: set greenloop.monitor.operator-token (GREENLOOP_OPERATOR_TOKEN)"));
        String given = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7).trim() : "";
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8))) {
            throw new MonitorException(Kind.UNAUTHENTICATED, "send 'Authorization: Bearer <operator token>'");
        }
    }
}
