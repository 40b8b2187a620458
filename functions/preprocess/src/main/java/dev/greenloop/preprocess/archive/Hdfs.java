package dev.greenloop.preprocess.archive;

import dev.greenloop.preprocess.PreprocessConfig;
import dev.greenloop.preprocess.PreprocessException;
import dev.greenloop.preprocess.PreprocessException.Kind;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The archive's HDFS: one client per instance, opened on first use (the streaming path never
 * needs it), closed on shutdown. Paths are under the configured root.
 */
@ApplicationScoped
public class Hdfs {

    private final PreprocessConfig.Archive config;
    private volatile FileSystem fs;
    private volatile FileContext fc;
    private volatile Configuration conf;

    public Hdfs(PreprocessConfig config) {
        this.config = config.archive();
    }

    public synchronized FileSystem fs() {
        if (fs == null) {
            try {
                conf = new Configuration();
                conf.set("fs.defaultFS", config.hdfsUri());
                conf.setBoolean("dfs.client.use.datanode.hostname", true);
                config.hadoop().forEach(conf::set);
                fs = FileSystem.newInstance(URI.create(config.hdfsUri()), conf);
                fc = FileContext.getFileContext(URI.create(config.hdfsUri()), conf);
            } catch (IOException e) {
                throw new PreprocessException(Kind.ARCHIVE_FAILED, "cannot reach HDFS at " + config.hdfsUri() + ": " + e.getMessage(), e);
            }
        }
        return fs;
    }

    public Configuration conf() {
        fs();
        return conf;
    }

    /** {@code <root>/<relative>}. */
    public Path path(String relative) {
        return new Path(config.root() + "/" + relative);
    }

    /** Moves {@code from} to {@code to} atomically, replacing {@code to} if it exists. */
    public void replace(Path from, Path to) throws IOException {
        fs();
        fs.mkdirs(to.getParent());
        fc.rename(from, to, Options.Rename.OVERWRITE);
    }

    /** Lower-case hex SHA-256 of a file. */
    public String sha256(Path file) throws IOException {
        try (InputStream in = fs().open(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                sha.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @PreDestroy
    void close() throws IOException {
        if (fs != null) {
            fs.close();
        }
    }
}
