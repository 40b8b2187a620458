package dev.greenloop.testkit;

import dev.greenloop.testkit.hdfs.HdfsCluster;
import dev.greenloop.testkit.kafka.KafkaBroker;
import dev.greenloop.testkit.mlflow.MlflowServer;
import dev.greenloop.testkit.mongo.MongoWireServer;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An external service named by the environment (here by the system property of the same
 * meaning) stands in for the kit's own: clients get its address, and the kit refuses to take it
 * away. The "external" Kafka is a broker of the kit's, reached only through its address.
 */
class ExternalServicesTest {

    @Test
    void aVariableOrItsPropertyNamesTheExternalService() {
        String key = "greenloop.testkit.webhdfs";
        System.setProperty(key, " http://namenode:9870 ");
        try {
            assertThat(External.address(External.WEBHDFS)).contains("http://namenode:9870");
        } finally {
            System.clearProperty(key);
        }
        assertThat(External.address("GREENLOOP_TESTKIT_NOTHING_" + UUID.randomUUID().toString().substring(0, 4).toUpperCase()))
                .isEmpty();
    }

    @Test
    void anExternalKafkaIsUsedByItsAddressAndNeverTakenAway() throws Exception {
        String bootstrap = KafkaBroker.shared().bootstrapServers();
        KafkaBroker external = KafkaBroker.external(bootstrap);

        String topic = "external-" + UUID.randomUUID();
        external.createTopic(topic, 1);
        try (Admin admin = external.admin()) {
            assertThat(admin.listTopics().names().get()).contains(topic);
        }
        assertThat(external.bootstrapServers()).isEqualTo(bootstrap);
        assertThatThrownBy(external::stop).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining(External.KAFKA).hasMessageContaining("does not stop");
        assertThatThrownBy(external::pause).hasMessageContaining("does not pause");
        external.close();
        try (Admin admin = KafkaBroker.shared().admin()) {
            assertThat(admin.listTopics().names().get()).as("close leaves it running").contains(topic);
        }
    }

    @Test
    void externalMongoHdfsAndMlflowGiveTheirAddressesAndRefuseFaults() {
        MongoWireServer mongo = MongoWireServer.external("mongodb://db.example:27017/?tls=true");
        HdfsCluster hdfs = HdfsCluster.external(URI.create("hdfs://namenode:8020"), null);
        MlflowServer mlflow = MlflowServer.external(URI.create("https://mlflow.example"));

        assertThat(mongo.connectionString()).isEqualTo("mongodb://db.example:27017/?tls=true");
        assertThat(hdfs.uri()).isEqualTo(URI.create("hdfs://namenode:8020"));
        assertThatThrownBy(hdfs::webHdfsUri).hasMessageContaining(External.WEBHDFS);
        assertThat(mlflow.trackingUri()).isEqualTo(URI.create("https://mlflow.example"));
        assertThatThrownBy(mongo::restart).hasMessageContaining(External.MONGODB);
        assertThatThrownBy(hdfs::stop).hasMessageContaining(External.HDFS);
        assertThatThrownBy(mlflow::restart).hasMessageContaining(External.MLFLOW);
    }
}
