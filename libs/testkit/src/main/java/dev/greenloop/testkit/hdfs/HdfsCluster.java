package dev.greenloop.testkit.hdfs;

import dev.greenloop.testkit.ChildService;
import dev.greenloop.testkit.External;
import dev.greenloop.testkit.FreePorts;
import dev.greenloop.testkit.SharedServices;
import dev.greenloop.testkit.TestkitDirs;
import dev.greenloop.testkit.server.DataNodeControl;
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
public final class HdfsCluster extends ChildService {

    private final int rpcPort;
    private final int httpPort;
    private final URI external;
    private final URI externalWeb;

    private HdfsCluster(Path dir, int rpcPort, int httpPort, URI external, URI externalWeb) {
        super(dir);
        this.rpcPort = rpcPort;
        this.httpPort = httpPort;
        this.external = external;
        this.externalWeb = externalWeb;
    }

    /**
     * The cluster shared by every test of this JVM, started on first use; the external HDFS named
     * by {@value dev.greenloop.testkit.External#HDFS} (and {@value dev.greenloop.testkit.External#WEBHDFS})
     * when set.
     */
    public static HdfsCluster shared() {
        return SharedServices.get(HdfsCluster.class, () -> External.address(External.HDFS)
                .map(uri -> external(URI.create(uri), External.address(External.WEBHDFS).map(URI::create).orElse(null)))
                .orElseGet(HdfsCluster::start));
    }

    /** An external HDFS at {@code uri} (WebHDFS at {@code webHdfs}, may be null), which the kit never stops. */
    public static HdfsCluster external(URI uri, URI webHdfs) {
        return new HdfsCluster(TestkitDirs.newServiceDir("hdfs-external"), 0, 0, uri, webHdfs);
    }

    @Override
    protected String externalVariable() {
        return external == null ? null : External.HDFS;
    }

    /** A new cluster of its own; the caller closes it. */
    public static HdfsCluster start() {
        HdfsCluster cluster = new HdfsCluster(TestkitDirs.newServiceDir("hdfs"), FreePorts.next(), FreePorts.next(), null, null);
        cluster.launch();
        return cluster;
    }

    private void launch() {
        ReadyFile.delete(directory());
        launchJava(List.of("-Xms128m", "-Xmx768m"), "INFO", "dev.greenloop.testkit.server.MiniHdfsMain",
                List.of(directory().toString(), Integer.toString(rpcPort), Integer.toString(httpPort)),
                () -> ReadyFile.exists(directory()), Duration.ofSeconds(120));
    }

    /** Starts the NameNode and DataNodes again on the same NameNode ports, with the same namespace and blocks. */
    @Override
    protected void relaunch() {
        launch();
    }

    @Override
    public String name() {
        return "HDFS (1 NameNode, 2 DataNodes)";
    }

    @Override
    protected String address() {
        return uri() + ", WebHDFS " + webHdfsUri();
    }

    /** {@code hdfs://127.0.0.1:<port>}: the {@code fs.defaultFS} of clients. */
    public URI uri() {
        if (external != null) {
            return external;
        }
        return URI.create("hdfs://" + FreePorts.LOOPBACK + ":" + rpcPort);
    }

    /** {@code http://127.0.0.1:<port>}: the NameNode's HTTP address, where WebHDFS lives under {@code /webhdfs/v1}. */
    public URI webHdfsUri() {
        if (external != null) {
            if (externalWeb == null) {
                throw new IllegalStateException("an external HDFS without " + External.WEBHDFS + ": set it for WebHDFS");
            }
            return externalWeb;
        }
        return URI.create("http://" + FreePorts.LOOPBACK + ":" + httpPort);
    }

    /**
     * Stops one of the two DataNodes, the NameNode and the other running on: writes go on with
     * one copy of each new block, and reads of blocks held by both are served by the other.
     */
    public void stopDataNode() {
        control(DataNodeControl.STOP);
    }

    /** Starts the DataNode {@link #stopDataNode} stopped again, on the same ports, with its blocks. */
    public void restartDataNode() {
        control(DataNodeControl.RESTART);
    }

    private void control(String command) {
        requireOwn(command);
        Path control = directory().resolve("control");
        Path done = control.resolve(command + ".done");
        Path failed = control.resolve(command + ".failed");
        try {
            java.nio.file.Files.deleteIfExists(done);
            java.nio.file.Files.deleteIfExists(failed);
            java.nio.file.Files.writeString(control.resolve(command), "");
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline) {
                if (java.nio.file.Files.exists(done)) {
                    return;
                }
                if (java.nio.file.Files.exists(failed)) {
                    throw new IllegalStateException("HDFS could not " + command + ": " + java.nio.file.Files.readString(failed)
                            + " (see " + logFile() + ")");
                }
                Thread.sleep(100);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while HDFS was asked to " + command, e);
        }
        throw new IllegalStateException("HDFS did not " + command + " within 90 s (see " + logFile() + ")");
    }

    /** Hadoop client settings for this cluster. */
    public Map<String, String> clientConfig() {
        return Map.of("fs.defaultFS", uri().toString(),
                // Replication is chosen by the writing client: two DataNodes hold two copies.
                "dfs.replication", "2",
                // Clients must reach DataNodes on loopback too.
                "dfs.client.use.datanode.hostname", "true");
    }
}
