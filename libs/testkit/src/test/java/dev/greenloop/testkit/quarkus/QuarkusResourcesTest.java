package dev.greenloop.testkit.quarkus;

import dev.greenloop.testkit.FreePorts;
import dev.greenloop.testkit.mongo.MongoWireServer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The Quarkus resources hand out the address of a live shared service under the documented keys. */
class QuarkusResourcesTest {

    @Test
    void mongoResourceSetsStandardAndRequestedKeys() {
        MongoResource resource = new MongoResource();
        resource.init(Map.of("property", "greenloop.ingest.mongodb.connection-string"));

        Map<String, String> config = resource.start();
        resource.stop();

        String connection = MongoWireServer.shared().connectionString();
        assertThat(config).containsEntry("greenloop.mongodb.connection-string", connection)
                .containsEntry("greenloop.ingest.mongodb.connection-string", connection);
        // stop() leaves the shared server up for the next test class.
        assertThat(FreePorts.isListening(URI.create(connection).getPort())).isTrue();
    }

    @Test
    void resourceWithoutInitArgumentsSetsOnlyStandardKeys() {
        MongoResource resource = new MongoResource();
        resource.init(Map.of());

        assertThat(resource.start()).containsOnlyKeys("greenloop.mongodb.connection-string");
    }
}
