package dev.greenloop.testkit.quarkus;

import dev.greenloop.testkit.hdfs.HdfsCluster;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * An HDFS of the test class's own, for tests of what happens when HDFS goes away
 * ({@link #cluster()} stops and restarts it; its files stay). Sets {@code greenloop.hdfs.uri}
 * and {@code greenloop.hdfs.webhdfs-uri}.
 */
public final class OwnHdfsResource implements QuarkusTestResourceLifecycleManager {

    private static HdfsCluster cluster;

    /** The running cluster of the current test class. */
    public static synchronized HdfsCluster cluster() {
        if (cluster == null) {
            throw new IllegalStateException("OwnHdfsResource is not started");
        }
        return cluster;
    }

    @Override
    public synchronized Map<String, String> start() {
        cluster = HdfsCluster.start();
        return Map.of("greenloop.hdfs.uri", cluster.uri().toString(), "greenloop.hdfs.webhdfs-uri", cluster.webHdfsUri().toString());
    }

    @Override
    public synchronized void stop() {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }
}
