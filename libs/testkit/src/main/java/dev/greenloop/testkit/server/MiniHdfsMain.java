package dev.greenloop.testkit.server;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

import java.io.File;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * HDFS for tests: Hadoop's MiniDFSCluster with one NameNode and two DataNodes, WebHDFS on (the
 * Python trainer reads datasets over it), permissions off (every test user may write anywhere).
 *
 * <p>Arguments: {@code <dir> <nameNodeRpcPort> <nameNodeHttpPort>}. One of the DataNodes can be
 * stopped and started again while the NameNode runs ({@link DataNodeControl}).
 */
public final class MiniHdfsMain {

    private MiniHdfsMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Paths.get(args[0]);
        int rpcPort = Integer.parseInt(args[1]);
        int httpPort = Integer.parseInt(args[2]);
        ParentWatchdog.start("hdfs");

        Configuration conf = new Configuration();
        conf.setBoolean("dfs.webhdfs.enabled", true);
        conf.setBoolean("dfs.permissions.enabled", false);
        conf.setInt("dfs.replication", 2);
        conf.set("hadoop.tmp.dir", dir.resolve("tmp").toString());
        // WebHDFS redirects reads and writes to a DataNode by its host name: keep it on loopback.
        conf.set("dfs.datanode.hostname", "127.0.0.1");
        conf.set("dfs.namenode.http-address", "127.0.0.1:" + httpPort);
        conf.setInt("dfs.namenode.handler.count", 4);
        conf.setInt("dfs.datanode.handler.count", 3);

        File base = dir.resolve("data").toFile();
        // Formatted once; a restart in the same directory keeps the namespace and the blocks.
        Path formatted = dir.resolve("formatted");
        boolean restart = java.nio.file.Files.exists(formatted);
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf, base)
                .numDataNodes(2)
                .nameNodePort(rpcPort)
                .nameNodeHttpPort(httpPort)
                .format(!restart)
                .build();
        if (!restart) {
            java.nio.file.Files.writeString(formatted, "");
        }
        cluster.waitActive();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("hdfs: shutting down NameNode and DataNodes");
            cluster.shutdown();
        }, "hdfs-shutdown"));

        DataNodeControl.start(dir.resolve("control"), cluster);

        String uri = cluster.getURI().toString();
        System.out.println("hdfs: ready at " + uri + ", WebHDFS on http://127.0.0.1:" + httpPort);
        ReadyFile.write(dir, uri + System.lineSeparator());
        Thread.currentThread().join();
    }
}
