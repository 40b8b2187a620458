package dev.greenloop.clients;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Function;

/**
 * How the functions authenticate to the MLflow server: a bearer token (a proxy in front of
 * MLflow, a managed MLflow), or a user and password (MLflow's {@code basic-auth} app), or nothing
 * (the embedded stack). The same settings reach the training Job as MLflow's own
 * {@code MLFLOW_TRACKING_TOKEN} / {@code MLFLOW_TRACKING_USERNAME} / {@code MLFLOW_TRACKING_PASSWORD}.
 *
 * @param token    bearer token; wins over a user when both are set
 * @param username basic-auth user
 * @param password basic-auth password; required with a user
 */
public record MlflowCredentials(Optional<String> token, Optional<String> username, Optional<String> password) {

    public static final String PREFIX = "greenloop.mlflow.";

    public MlflowCredentials {
        token = token.filter(t -> !t.isBlank());
        username = username.filter(u -> !u.isBlank());
        password = password.filter(p -> !p.isEmpty());
        if (username.isPresent() != password.isPresent()) {
            throw new IllegalArgumentException(PREFIX + "username and " + PREFIX + "password go together: set both"
                    + " or neither");
        }
        if (username.isPresent() && username.get().contains(":")) {
            throw new IllegalArgumentException(PREFIX + "username may not contain ':' (basic auth)");
        }
    }

    /** No credentials. */
    public static MlflowCredentials none() {
        return new MlflowCredentials(Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** {@code greenloop.mlflow.token}, {@code .username} and {@code .password} of {@code settings}. */
    public static MlflowCredentials fromSettings(Function<String, Optional<String>> settings) {
        return new MlflowCredentials(settings.apply(PREFIX + "token"), settings.apply(PREFIX + "username"),
                settings.apply(PREFIX + "password"));
    }

    /** The {@code Authorization} header value, when there are credentials. */
    public Optional<String> authorization() {
        if (token.isPresent()) {
            return Optional.of("Bearer " + token.get());
        }
        return username.map(u -> "Basic " + Base64.getEncoder()
                .encodeToString((u + ":" + password.orElseThrow()).getBytes(StandardCharsets.UTF_8)));
    }

    /** For logs: the kind of credentials, never their value. */
    @Override
    public String toString() {
        return token.isPresent() ? "token" : username.map(u -> "basic auth as " + u).orElse("no credentials");
    }
}
