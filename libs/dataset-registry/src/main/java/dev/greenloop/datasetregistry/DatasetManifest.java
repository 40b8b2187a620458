package dev.greenloop.datasetregistry;

import dev.greenloop.events.payload.DatasetReady;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The manifest of one training dataset, as preprocess registers it and train-launcher reads it.
 *
 * @param dataset        what {@code dataset.ready} announces: id, greenhouse, feature spec, span, rows and files
 * @param fileDays       the day of each file, in the order of {@code dataset.files()}
 * @param horizonMinutes how far ahead its targets are
 * @param targets        the target columns
 * @param datasetDays    how many days the dataset may span ({@code greenloop.preprocess.archive.dataset-days})
 * @param coverage       how many rows miss each signal group and signal
 * @param leftOut        the older days left out by {@code datasetDays}, or {@code null} when none were
 * @param eventId        the id of its {@code dataset.ready} event
 * @param createdAt      when it was registered
 */
public record DatasetManifest(DatasetReady dataset, List<LocalDate> fileDays, int horizonMinutes, List<String> targets,
                              int datasetDays, Coverage coverage, LeftOut leftOut, String eventId, Instant createdAt) {

    public DatasetManifest {
        Objects.requireNonNull(dataset, "dataset");
        fileDays = List.copyOf(fileDays);
        if (fileDays.size() != dataset.files().size()) {
            throw new IllegalArgumentException("one day per file: " + fileDays.size() + " days for "
                    + dataset.files().size() + " files");
        }
        targets = List.copyOf(targets);
        Objects.requireNonNull(coverage, "coverage");
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    public String id() {
        return dataset.datasetId();
    }

    public String greenhouseId() {
        return dataset.greenhouseId();
    }

    /** Rows without any feature of a group or signal, over all files. */
    public record Coverage(long rows, Map<String, Long> missingByGroup, Map<String, Long> missingBySignal) {
        public Coverage {
            missingByGroup = Map.copyOf(missingByGroup);
            missingBySignal = Map.copyOf(missingBySignal);
        }
    }

    /** Days older than the dataset's span that were archived and not used. */
    public record LeftOut(int days, long rows, LocalDate from, LocalDate to) {
    }
}
