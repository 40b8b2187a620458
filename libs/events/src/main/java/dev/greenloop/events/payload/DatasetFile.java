package dev.greenloop.events.payload;

import dev.greenloop.events.EventException;

import java.util.regex.Pattern;

/**
 * One file of a training dataset.
 *
 * @param path   absolute path on the dataset file system (HDFS)
 * @param rows   number of rows in the file
 * @param bytes  file size in bytes
 * @param sha256 lower-case hex SHA-256 of the file's bytes
 */
public record DatasetFile(String path, long rows, long bytes, String sha256) {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public DatasetFile {
        Checks.text("path", path, 1024);
        if (!path.startsWith("/")) {
            throw EventException.invalidField("path", "must be absolute");
        }
        if (rows < 0) {
            throw EventException.invalidField("rows", "must not be negative");
        }
        if (bytes < 0) {
            throw EventException.invalidField("bytes", "must not be negative");
        }
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw EventException.invalidField("sha256", "must be 64 lower-case hex digits");
        }
    }
}
