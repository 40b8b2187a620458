package dev.greenloop.preprocess.archive;

import dev.greenloop.events.Events;
import dev.greenloop.events.payload.DatasetFile;
import dev.greenloop.events.payload.DatasetReady;
import dev.greenloop.features.FeatureSpec;
import dev.greenloop.preprocess.PreprocessConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.bson.Document;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Dataset manifests: the last {@code dataset-days} days of a greenhouse's feature files, with
 * row counts, time range, spec version and each file's SHA-256, stored in MongoDB
 * ({@code datasets}). The id comes from the files' digests, so the same files make the same
 * dataset.
 */
@ApplicationScoped
public class Datasets {

    private final ArchiveState state;
    private final int days;
    private final int horizon;

    public Datasets(ArchiveState state, PreprocessConfig config) {
        this.state = state;
        this.days = config.archive().datasetDays();
        this.horizon = config.archive().horizonMinutes();
    }

    /** The current dataset of {@code greenhouse}, stored; empty when it has no feature files. */
    public Optional<DatasetReady> current(String greenhouse) {
        List<ArchiveState.FeatureFile> all = state.featureFiles(greenhouse);
        if (all.isEmpty()) {
            return Optional.empty();
        }
        LocalDate newest = all.get(all.size() - 1).day();
        List<ArchiveState.FeatureFile> files = all.stream().filter(f -> f.day().isAfter(newest.minusDays(days))).toList();
        MessageDigest sha = sha256();
        for (ArchiveState.FeatureFile f : files) {
            sha.update(f.path().getBytes(StandardCharsets.UTF_8));
            sha.update(f.sha256().getBytes(StandardCharsets.UTF_8));
        }
        String id = "ds-" + greenhouse + "-" + HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        long rows = files.stream().mapToLong(ArchiveState.FeatureFile::rows).sum();
        long from = files.stream().mapToLong(ArchiveState.FeatureFile::from).min().orElseThrow();
        long to = files.stream().mapToLong(ArchiveState.FeatureFile::to).max().orElseThrow();
        DatasetReady ready = new DatasetReady(id, greenhouse, FeatureSpec.V1.version(), Instant.ofEpochMilli(from),
                Instant.ofEpochMilli(to), rows,
                files.stream().map(f -> new DatasetFile(f.path(), f.rows(), f.bytes(), f.sha256())).toList());
        state.saveDataset(new Document("_id", id).append("greenhouseId", greenhouse)
                .append("featureSpecVersion", ready.featureSpecVersion()).append("horizonMinutes", horizon)
                .append("targets", FeatureSpec.V1.targetNames(horizon)).append("from", Date.from(ready.from()))
                .append("to", Date.from(ready.to())).append("rows", rows)
                .append("files", files.stream().map(f -> new Document("path", f.path()).append("rows", f.rows())
                        .append("bytes", f.bytes()).append("sha256", f.sha256()).append("day", f.day().toString())).toList())
                .append("eventId", Events.derivedId("dataset.ready", id))
                .append("createdAt", new Date()));
        return Optional.of(ready);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
