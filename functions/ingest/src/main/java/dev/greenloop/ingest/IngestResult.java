package dev.greenloop.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.greenloop.ingest.IngestException.ItemError;

import java.util.List;

/**
 * The answer to an accepted request (202): every accepted item is in Kafka.
 *
 * @param mode             {@code backfill} for history sent in backfill mode; absent for live readings
 * @param received         items (readings plus actuator states) in the request
 * @param accepted         items now on the readings topic
 * @param quarantined      readings now on the quarantine topic, with why
 * @param rejected         items not accepted (only with {@code ?partial=true})
 * @param duplicates       exact repeats within the request, dropped
 * @param eventIds         ids of the CloudEvents written to the readings topic
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record IngestResult(String mode, int received, int accepted, int quarantined, int rejected, int duplicates,
                           List<String> eventIds, List<ItemError> rejectedItems, List<ItemError> quarantinedItems) {

    /** The sum of several results (a CloudEvents batch). */
    public static IngestResult sum(List<IngestResult> results) {
        return new IngestResult(results.stream().map(IngestResult::mode).filter(java.util.Objects::nonNull).findFirst()
                .orElse(null),
                results.stream().mapToInt(IngestResult::received).sum(),
                results.stream().mapToInt(IngestResult::accepted).sum(),
                results.stream().mapToInt(IngestResult::quarantined).sum(),
                results.stream().mapToInt(IngestResult::rejected).sum(),
                results.stream().mapToInt(IngestResult::duplicates).sum(),
                results.stream().flatMap(r -> r.eventIds().stream()).toList(),
                results.stream().flatMap(r -> r.rejectedItems().stream()).toList(),
                results.stream().flatMap(r -> r.quarantinedItems().stream()).toList());
    }
}
