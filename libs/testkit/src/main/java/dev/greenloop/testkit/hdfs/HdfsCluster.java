package dev.greenloop.testkit.hdfs;

import dev.greenloop.testkit.ChildProcess;
import dev.greenloop.testkit.FreePorts;
import dev.greenloop.testkit.JavaCommand;
import dev.greenloop.testkit.Service;
import dev.greenloop.testkit.SharedServices;
import dev.greenloop.testkit.TestkitDirs;
import dev.greenloop.testkit.TestkitLog;
import dev.greenloop.testkit.server.ReadyFile;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real HDFS (MiniDFSCluster: one NameNode, two DataNodes, WebHDFS on) in a child JVM on free
 * loopback ports. Permissions are off.
 */
public final class HdfsCluster implements Service {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final Path dir;
    private final int rpcPort;
    private final int httpPort;
    private ChildProcess process;

    private HdfsCluster(Path dir, int rpcPort, int httpPort) {
        this.dir = dir;
        this.rpcPort = rpcPort;
        this.httpPort = httpPort;
    }

    /** The cluster shared by every test of this JVM, started on first use. */
    public static HdfsCluster shared() {
        return SharedServices.get(HdfsCluster.class, HdfsCluster::start);
    }

    /** A new cluster of its own; the caller closes it. */
    public static HdfsCluster start() {
        HdfsCluster cluster = new HdfsCluster(TestkitDirs.newServiceDir("hdfs"), FreePorts.next(), FreePorts.next());
        cluster.launch();
        return cluster;
    }

    @Override
    public String name() {
        return "HDFS (1 NameNode, 2 DataNodes)";
    }

    /** {@code hdfs://127.0.0.1:<port>}: the {@code fs.defaultFS} of clients. */
    public URI uri() {
        return URI.create("hdfs://" + FreePorts.LOOPBACK + ":" + rpcPort);
    }

    /** {@code http://127.0.0.1:<port>}: the NameNode's HTTP address, where WebHDFS lives under {@code /webhdfs/v1}. */
    public URI webHdfsUri() {
        return URI.create("http://" + FreePorts.LOOPBACK + ":" + httpPort);
    }

    /** Hadoop client settings for this cluster. */
    public Map<String, String> clientConfig() {
        return Map.of("fs.defaultFS", uri().toString(),
                // Replication is chosen by the writing client: two DataNodes hold two copies.
                "dfs.replication", "2",
                // Clients must reach DataNodes on loopback too.
                "dfs.client.use.datanode.hostname", "true");
    }

    public Path logFile() {
        return dir.resolve("output.log");
    }

    @Override
    public synchronized void close() {
        if (process != null && process.isAlive()) {
            long t0 = System.nanoTime();
            boolean clean = process.stop(Duration.ofSeconds(30));
            TestkitLog.info(name() + " at " + uri() + " stopped in " + TestkitLog.since(t0) + (clean ? "" : " (killed)"));
        }
    }

    private void launch() {
        long t0 = System.nanoTime();
        Path logConfig = JavaCommand.writeLogConfig(dir, "INFO");
        List<String> command = JavaCommand.of(
                List.of("-Xms128m", "-Xmx768m", "-Dlog4j2.configurationFile=" + logConfig),
                "dev.greenloop.testkit.server.MiniHdfsMain",
                List.of(dir.toString(), Integer.toString(rpcPort), Integer.toString(httpPort)));
        process = ChildProcess.start(name(), command, dir, Map.of(), logFile());
        process.awaitReady(() -> ReadyFile.exists(dir), START_TIMEOUT);
        TestkitLog.info(name() + " started at " + uri() + ", WebHDFS " + webHdfsUri() + " in "
                + TestkitLog.since(t0) + " (log: " + logFile() + ")");
    }
}
