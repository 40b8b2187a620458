package dev.greenloop.testkit.quarkus;

import dev.greenloop.testkit.hdfs.HdfsCluster;

import java.util.Map;

/**
 * A real HDFS for {@code @QuarkusTest}. Sets {@code greenloop.hdfs.uri} and
 * {@code greenloop.hdfs.webhdfs-uri}; {@code property} (init argument) also gets the
 * {@code hdfs://} URI.
 */
public final class HdfsResource extends SharedServiceResource {

    @Override
    Map<String, String> configuration() {
        HdfsCluster hdfs = HdfsCluster.shared();
        return Map.of("greenloop.hdfs.uri", hdfs.uri().toString(),
                "greenloop.hdfs.webhdfs-uri", hdfs.webHdfsUri().toString());
    }

    @Override
    String primaryValue() {
        return HdfsCluster.shared().uri().toString();
    }
}
