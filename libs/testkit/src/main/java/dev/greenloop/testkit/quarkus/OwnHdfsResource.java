package dev.greenloop.testkit.quarkus;

import dev.greenloop.testkit.hdfs.HdfsCluster;

import java.util.Map;

/**
 * An HDFS of the test class's own, for tests of what happens when HDFS goes away
 * ({@link #cluster()} stops and restarts it; its files stay). Sets {@code greenloop.hdfs.uri}
 * and {@code greenloop.hdfs.webhdfs-uri}.
 */
public final class OwnHdfsResource extends OwnServiceResource<HdfsCluster> {

    /** The running cluster of the current test class. */
    public static HdfsCluster cluster() {
        return running(OwnHdfsResource.class, HdfsCluster.class);
    }

    @Override
    HdfsCluster startService() {
        return HdfsCluster.start();
    }

    @Override
    Map<String, String> configuration(HdfsCluster cluster) {
        return Map.of("greenloop.hdfs.uri", cluster.uri().toString(), "greenloop.hdfs.webhdfs-uri", cluster.webHdfsUri().toString());
    }
}
