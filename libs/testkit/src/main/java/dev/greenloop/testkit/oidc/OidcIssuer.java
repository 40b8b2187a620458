package dev.greenloop.testkit.oidc;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.greenloop.testkit.FreePorts;
import dev.greenloop.testkit.TestkitLog;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.lang.JoseException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * An OIDC issuer as Kubernetes' service-account issuer is one to Knative Eventing: a discovery
 * document and a JWKS over HTTP on a free loopback port, and RS256 access tokens for an audience,
 * like those Knative's Sources and Triggers send with {@code authentication-oidc}. For tests
 * (valid, expired, wrong-audience tokens, and tokens of another issuer's key) and for the local
 * stack's dispatcher. In-process; thread-safe; {@link #close()} stops the server.
 */
public final class OidcIssuer implements AutoCloseable {

    /** The subject of tokens Knative mints for a Trigger's or Source's OIDC service account. */
    public static final String DEFAULT_SUBJECT = "system:serviceaccount:greenloop:oidc-local-dispatcher";
    private static OidcIssuer shared;

    private final HttpServer server;
    private final RsaJsonWebKey key;
    private final URI issuer;

    private OidcIssuer(int port) {
        try {
            this.key = RsaJwkGenerator.generateJwk(2048);
            key.setKeyId("greenloop-" + UUID.randomUUID().toString().substring(0, 8));
            key.setAlgorithm(AlgorithmIdentifiers.RSA_USING_SHA256);
            key.setUse("sig");
            this.server = HttpServer.create(new InetSocketAddress(FreePorts.LOOPBACK, port), 0);
        } catch (JoseException e) {
            throw new IllegalStateException("cannot generate the issuer's key", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.issuer = URI.create("http://" + FreePorts.LOOPBACK + ":" + server.getAddress().getPort());
        server.createContext("/.well-known/openid-configuration", x -> json(x, """
                {"issuer":"%s","jwks_uri":"%s/openid/v1/jwks","response_types_supported":["id_token"],\
                "subject_types_supported":["public"],"id_token_signing_alg_values_supported":["RS256"]}"""
                .formatted(issuer, issuer)));
        server.createContext("/openid/v1/jwks", x -> json(x, new JsonWebKeySet(key).toJson()));
        server.start();
    }

    /** A new issuer on a free port; the caller closes it. */
    public static OidcIssuer start() {
        OidcIssuer i = new OidcIssuer(FreePorts.next());
        TestkitLog.info("OIDC issuer started on " + i.issuer());
        return i;
    }

    /** The test JVM's issuer, started on first use, stopped when the JVM exits. */
    public static synchronized OidcIssuer shared() {
        if (shared == null) {
            shared = start();
            OidcIssuer stop = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(stop::close));
        }
        return shared;
    }

    /** The issuer URL ({@code iss}); its discovery document is at {@code /.well-known/openid-configuration}. */
    public URI issuer() {
        return issuer;
    }

    /** A token for {@code audience}, valid for five minutes. */
    public String token(String audience) {
        return token(audience, DEFAULT_SUBJECT, Instant.now(), Duration.ofMinutes(5));
    }

    /** A token for {@code audience} of {@code subject}, issued at {@code issuedAt}, valid for {@code lifetime}. */
    public String token(String audience, String subject, Instant issuedAt, Duration lifetime) {
        return token(audience, subject, issuedAt, lifetime, issuer);
    }

    /** A token that claims to come from {@code claimedIssuer} but is signed with this issuer's key. */
    public String token(String audience, String subject, Instant issuedAt, Duration lifetime, URI claimedIssuer) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(claimedIssuer.toString());
        claims.setAudience(audience);
        claims.setSubject(subject);
        claims.setIssuedAt(NumericDate.fromMilliseconds(issuedAt.toEpochMilli()));
        claims.setNotBefore(NumericDate.fromMilliseconds(issuedAt.toEpochMilli()));
        claims.setExpirationTime(NumericDate.fromMilliseconds(issuedAt.plus(lifetime).toEpochMilli()));
        claims.setJwtId(UUID.randomUUID().toString());
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key.getPrivateKey());
        jws.setKeyIdHeaderValue(key.getKeyId());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
    }

    /**
     * Verifies a token as a Broker's ingress would: this issuer's signature, issuer, audience and
     * expiry (30 s of skew).
     *
     * @return the token's subject
     * @throws IllegalArgumentException when the token is not valid for {@code audience}
     */
    public String verify(String token, String audience) {
        try {
            JwtClaims claims = new JwtConsumerBuilder().setRequireExpirationTime().setAllowedClockSkewInSeconds(30)
                    .setExpectedIssuer(issuer.toString()).setExpectedAudience(audience)
                    .setVerificationKey(key.getPublicKey()).build().processToClaims(token);
            return claims.getSubject();
        } catch (InvalidJwtException | org.jose4j.jwt.MalformedClaimException e) {
            throw new IllegalArgumentException("not a valid token for " + audience + ": " + e.getMessage(), e);
        }
    }

    /** A token for {@code audience} that expired an hour ago. */
    public String expiredToken(String audience) {
        return token(audience, DEFAULT_SUBJECT, Instant.now().minus(Duration.ofHours(2)), Duration.ofHours(1));
    }

    private static void json(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
