package dev.greenloop.events.payload;

import dev.greenloop.events.EventException;

import java.time.Instant;
import java.util.List;

/**
 * Payload of {@code dev.greenloop.dataset.ready.v1}: a training dataset was written and its
 * manifest stored.
 *
 * @param datasetId          id of the manifest (stable for the same input offsets)
 * @param from               first feature row's time, inclusive
 * @param to                 last feature row's time, exclusive
 * @param rows               total rows over all files
 */
public record DatasetReady(String datasetId, String greenhouseId, String featureSpecVersion,
                           Instant from, Instant to, long rows, List<DatasetFile> files) implements EventPayload {

    public DatasetReady {
        Checks.id("datasetId", datasetId);
        Checks.id("greenhouseId", greenhouseId);
        Checks.id("featureSpecVersion", featureSpecVersion);
        Checks.required("from", from);
        Checks.before("to", to, "from", from);
        if (rows < 0) {
            throw EventException.invalidField("rows", "must not be negative");
        }
        files = Checks.nonEmpty("files", files);
        long sum = files.stream().mapToLong(DatasetFile::rows).sum();
        if (sum != rows) {
            throw EventException.invalidField("rows", "must equal the sum of the files' rows (" + sum + ")");
        }
    }
}
