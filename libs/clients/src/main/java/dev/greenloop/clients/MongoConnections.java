package dev.greenloop.clients;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * MongoDB clients of the functions. The connection string (from the Secret on a cluster) carries
 * the user, password, {@code authSource} and {@code tls=true}; {@value #CA_FILE} names a PEM file
 * of the authorities to trust when the server's certificate is not signed by a public one.
 */
public final class MongoConnections {

    /** Setting: PEM file of the authorities that signed the MongoDB servers' certificates. */
    public static final String CA_FILE = "greenloop.mongodb.tls-ca-file";

    private MongoConnections() {
    }

    /** A client for {@code connectionString}, trusting {@link #CA_FILE} of {@code settings} when set. */
    public static MongoClient create(String connectionString, Function<String, Optional<String>> settings) {
        return MongoClients.create(settings(connectionString,
                settings.apply(CA_FILE).filter(f -> !f.isBlank()).map(Path::of)));
    }

    /**
     * Client settings for {@code connectionString} with TLS trusting {@code caFile}.
     *
     * @throws IllegalArgumentException when a CA file is given but the connection string does not
     *                                  ask for TLS, or the file is not a PEM certificate file
     */
    public static MongoClientSettings settings(String connectionString, Optional<Path> caFile) {
        ConnectionString connection = new ConnectionString(connectionString);
        MongoClientSettings.Builder builder = MongoClientSettings.builder().applyConnectionString(connection);
        if (caFile.isPresent()) {
            if (!Boolean.TRUE.equals(connection.getSslEnabled())) {
                throw new IllegalArgumentException(CA_FILE + " is set but the MongoDB connection string does not"
                        + " enable TLS: add tls=true to it");
            }
            builder.applyToSslSettings(ssl -> ssl.enabled(true).context(PemTrust.sslContext(caFile.get(), CA_FILE)));
        }
        return builder.build();
    }
}
