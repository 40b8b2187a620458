package dev.greenloop.testkit.server;

import org.apache.hadoop.hdfs.MiniDFSCluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Stops and starts one DataNode of the cluster on request, in the HDFS server's JVM. The test kit
 * asks by writing a file named after the command into {@code <dir>/control}
 * ({@value #STOP} or {@value #RESTART}); the answer is a file of the same name ending
 * {@code .done}, or {@code .failed} with the reason. The DataNode stopped is the last one; it
 * comes back on the same ports with its blocks.
 */
public final class DataNodeControl {

    public static final String STOP = "stop-datanode";
    public static final String RESTART = "restart-datanode";

    private final Path dir;
    private final MiniDFSCluster cluster;
    private MiniDFSCluster.DataNodeProperties stopped;

    private DataNodeControl(Path dir, MiniDFSCluster cluster) {
        this.dir = dir;
        this.cluster = cluster;
    }

    static void start(Path dir, MiniDFSCluster cluster) throws IOException {
        Files.createDirectories(dir);
        DataNodeControl control = new DataNodeControl(dir, cluster);
        Thread thread = new Thread(control::watch, "hdfs-datanode-control");
        thread.setDaemon(true);
        thread.start();
    }

    private void watch() {
        while (true) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path request : files.filter(f -> List.of(STOP, RESTART).contains(f.getFileName().toString())).toList()) {
                    String command = request.getFileName().toString();
                    Files.delete(request);
                    try {
                        run(command);
                        Files.writeString(dir.resolve(command + ".done"), "");
                    } catch (Exception e) {
                        Files.writeString(dir.resolve(command + ".failed"), String.valueOf(e));
                    }
                }
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                System.out.println("hdfs: DataNode control: " + e);
            }
        }
    }

    private void run(String command) throws IOException {
        if (command.equals(STOP)) {
            if (stopped != null) {
                throw new IllegalStateException("a DataNode is stopped already");
            }
            stopped = cluster.stopDataNode(cluster.getDataNodes().size() - 1);
            System.out.println("hdfs: DataNode stopped; " + cluster.getDataNodes().size() + " running");
        } else {
            if (stopped == null) {
                throw new IllegalStateException("no DataNode is stopped");
            }
            if (!cluster.restartDataNode(stopped, true)) {
                throw new IllegalStateException("the DataNode did not start again");
            }
            stopped = null;
            cluster.waitActive();
            System.out.println("hdfs: DataNode started again; " + cluster.getDataNodes().size() + " running");
        }
    }
}
