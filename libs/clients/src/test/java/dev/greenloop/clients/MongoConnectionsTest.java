package dev.greenloop.clients;

import com.mongodb.MongoTimeoutException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import dev.greenloop.testkit.mongo.MongoWireServer;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A MongoDB-wire server that speaks TLS only, reached with and without its authority trusted. */
class MongoConnectionsTest {

    private static MongoWireServer server;

    @BeforeAll
    static void start() {
        server = MongoWireServer.startTls();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String connection() {
        return server.connectionString() + "&serverSelectionTimeoutMS=3000";
    }

    @Test
    void trustingTheServersAuthorityReadsAndWrites() {
        Map<String, String> settings = Map.of(MongoConnections.CA_FILE, server.certificate().certificatePem().toString());

        try (MongoClient client = MongoConnections.create(connection(), name -> Optional.ofNullable(settings.get(name)))) {
            MongoCollection<Document> zones = client.getDatabase("greenloop").getCollection("tls_check");
            zones.insertOne(new Document("_id", "gh-1/zone-a").append("ok", true));

            assertThat(zones.find(new Document("_id", "gh-1/zone-a")).first()).containsEntry("ok", true);
        }
    }

    @Test
    void withoutTheAuthorityTheServerIsNotTrusted() {
        try (MongoClient client = MongoConnections.create(connection(), name -> Optional.empty())) {
            assertThatThrownBy(() -> client.getDatabase("greenloop").getCollection("tls_check").countDocuments())
                    .isInstanceOf(MongoTimeoutException.class)
                    .hasMessageContaining("SSL");
        }
    }

    @Test
    void anAuthorityWithoutTlsInTheConnectionStringIsAConfigurationError() {
        assertThatThrownBy(() -> MongoConnections.settings("mongodb://127.0.0.1:27017",
                Optional.of(server.certificate().certificatePem())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("greenloop.mongodb.tls-ca-file is set").hasMessageContaining("tls=true");
    }

    @Test
    void aFileWithoutCertificatesIsNamed(@TempDir Path dir) throws IOException {
        Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate");

        assertThatThrownBy(() -> MongoConnections.settings("mongodb://127.0.0.1:27017/?tls=true", Optional.of(notPem)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("greenloop.mongodb.tls-ca-file " + notPem);
    }
}
