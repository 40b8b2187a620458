package dev.greenloop.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenloop.events.Events;
import dev.greenloop.events.Extensions;
import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.kafka.KafkaEvents;
import dev.greenloop.events.payload.ReadingsBatch;
import dev.greenloop.ingest.IngestException.ItemError;
import dev.greenloop.ingest.IngestException.Kind;
import dev.greenloop.ingest.auth.Device;
import dev.greenloop.ingest.kafka.ReadingsPublisher;
import dev.greenloop.ingest.kafka.RecordSplitter;
import dev.greenloop.ingest.limits.DeviceRateLimiter;
import dev.greenloop.ingest.limits.InFlightLimiter;
import dev.greenloop.ingest.validation.BatchValidator;
import dev.greenloop.ingest.validation.ValidatedBatch;
import io.cloudevents.CloudEvent;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;

import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Takes device batches from the front door to Kafka: authorise (greenhouse, zone, device),
 * rate-limit, validate item by item ({@link #prepare}), publish, and answer only once Kafka
 * acknowledged every record ({@link #submit}). A batch is all-or-nothing unless {@code partial};
 * quarantined readings are accepted onto the quarantine topic. Call from a worker thread.
 */
@ApplicationScoped
public class IngestService {

    public static final URI SOURCE = URI.create("/greenloop/ingest");
    /** CloudEvent extension on quarantine records: why the reading was set aside. */
    public static final String QUARANTINE_REASON = "quarantinereason";
    private static final Set<String> STRUCTURAL = Set.of("type", "required", "additionalProperties", "format", "const");

    private final IngestConfig config;
    private final BatchValidator validator;
    private final ReadingsPublisher publisher;
    private final DeviceRateLimiter rateLimiter;
    private final InFlightLimiter inFlight;
    private final IngestMetrics metrics;

    public IngestService(IngestConfig config, BatchValidator validator, ReadingsPublisher publisher,
                         DeviceRateLimiter rateLimiter, InFlightLimiter inFlight, IngestMetrics metrics) {
        this.config = config;
        this.validator = validator;
        this.publisher = publisher;
        this.rateLimiter = rateLimiter;
        this.inFlight = inFlight;
        this.metrics = metrics;
    }

    /**
     * Where the batch came from: a plain request (maybe with a {@code traceparent}) or an incoming
     * CloudEvent, whose id becomes the {@code causationid} of what ingest writes.
     */
    public record Origin(String traceparent, CloudEvent event) {
        public static Origin request(String traceparent) {
            return new Origin(traceparent, null);
        }

        public static Origin event(CloudEvent event) {
            return new Origin(null, event);
        }
    }

    /**
     * How a batch is meant: {@code LIVE} readings feed online features and predictions;
     * {@code BACKFILL} is history imported on purpose (older than live readings may be), marked
     * with the {@code backfill} extension so that preprocess's streaming path leaves it alone and
     * its offline path counts all of it. Only devices registered for backfill may send it.
     */
    public enum Mode {
        LIVE, BACKFILL
    }

    /** A validated batch and the records that carry it, ready to publish. */
    public record Prepared(ValidatedBatch checked, int items, List<ProducerRecord<String, CloudEvent>> records,
                           List<String> eventIds, Mode mode) {
    }

    /**
     * Runs {@code work} (which prepares one or more batches) within an in-flight slot, publishes
     * every record of every batch, and completes once Kafka acknowledged all of them. Nothing is
     * published unless every batch prepared without error.
     *
     * @return completes with the (summed) result, or exceptionally with an {@link IngestException};
     *         failures while preparing are thrown
     */
    public CompletionStage<IngestResult> submit(Supplier<List<Prepared>> work) {
        inFlight.acquire();
        try {
            List<Prepared> batches = work.get();
            List<ProducerRecord<String, CloudEvent>> records = batches.stream().flatMap(p -> p.records().stream()).toList();
            long sent = System.nanoTime();
            return publisher.publish(records)
                    .orTimeout(config.kafka().ackTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .handle((acks, error) -> {
                        if (error != null) {
                            throw kafkaFailure(error);
                        }
                        metrics.kafkaAck(sent);
                        return IngestResult.sum(batches.stream().map(this::result).toList());
                    })
                    .whenComplete((result, error) -> inFlight.release());
        } catch (RuntimeException e) {
            inFlight.release();
            throw e;
        }
    }

    /**
     * Checks and converts one device's batch (a JSON readings batch whose greenhouse is known):
     * size, authorisation, rate limit, validation; builds its records. Publishes nothing.
     *
     * @throws IngestException when the batch cannot be accepted
     */
    public Prepared prepare(Device device, JsonNode batch, boolean partial, Origin origin) {
        return prepare(device, batch, partial, origin, Mode.LIVE);
    }

    /** Like {@link #prepare(Device, JsonNode, boolean, Origin)}, in {@code mode}. */
    public Prepared prepare(Device device, JsonNode batch, boolean partial, Origin origin, Mode mode) {
        int items = batch.path("readings").size() + batch.path("actuators").size();
        JsonNode deviceId = batch.get("deviceId");
        JsonNode zone = batch.get("zoneId");
        admit(device, items, mode, batch.path("greenhouseId").asText(null),
                deviceId != null && deviceId.isTextual() ? deviceId.asText() : null,
                zone != null && zone.isTextual() ? zone.asText() : null);
        return records(validator.validate(batch, mode == Mode.BACKFILL), items, partial, origin, mode);
    }

    /**
     * Like {@link #prepare(Device, JsonNode, boolean, Origin, Mode)}, for a batch the streaming
     * reader bound (every item of the schema's shape): the same checks, in the same order.
     */
    public Prepared prepare(Device device, ReadingsBatch batch, boolean partial, Origin origin, Mode mode) {
        int items = batch.size();
        admit(device, items, mode, batch.greenhouseId(), batch.deviceId(), batch.zoneId());
        return records(validator.validate(batch, mode == Mode.BACKFILL), items, partial, origin, mode);
    }

    /** Size, backfill permission, authorisation and rate limit, before any item is looked at. */
    private void admit(Device device, int items, Mode mode, String greenhouse, String deviceId, String zone) {
        if (items > config.limits().maxItemsPerRequest()) {
            throw IngestException.of(Kind.TOO_LARGE, "the batch holds " + items + " items; at most "
                    + config.limits().maxItemsPerRequest() + " are accepted per request");
        }
        if (mode == Mode.BACKFILL && !device.mayBackfill()) {
            throw IngestException.of(Kind.FORBIDDEN, "device " + device.id() + " may not send history in backfill mode;"
                    + " an administrator registers an importing device with \"backfill\": true");
        }
        authorise(device, greenhouse, deviceId, zone);
        // Every request costs at least one token, so empty requests cannot flood either.
        rateLimiter.acquire(device.id(), Math.max(1, items));
        metrics.batch(items);
    }

    /** The records of a validated batch, once {@link #decide} accepted it. */
    private Prepared records(ValidatedBatch checked, int items, boolean partial, Origin origin, Mode mode) {
        decide(checked, items, partial, origin.event() == null);
        List<ProducerRecord<String, CloudEvent>> records = new ArrayList<>();
        List<String> eventIds = new ArrayList<>();
        for (ReadingsBatch chunk : RecordSplitter.split(checked, config.kafka().maxItemsPerRecord())) {
            byte[] json = PayloadCodec.write(chunk);
            CloudEvent event = event(chunk, origin, mode, "readings", sha256(json)).serialized(json).build();
            eventIds.add(event.getId());
            records.add(KafkaEvents.record(config.kafka().topic(), event));
        }
        for (ValidatedBatch.Quarantined q : checked.quarantined()) {
            ReadingsBatch single = new ReadingsBatch(checked.greenhouseId(), checked.zoneId(), checked.deviceId(),
                    List.of(q.reading()), List.of());
            CloudEvent event = event(single, origin, mode, "quarantine", single.readingId(q.reading()))
                    .extension(QUARANTINE_REASON, q.reason()).build();
            records.add(KafkaEvents.record(config.kafka().quarantineTopic(), event));
        }
        return new Prepared(checked, items, records, eventIds, mode);
    }

    /** {@code greenhouse}, {@code deviceId} and {@code zone} as the batch names them; null where it does not. */
    private void authorise(Device device, String greenhouse, String deviceId, String zone) {
        if (greenhouse != null && !greenhouse.equals(device.greenhouseId())) {
            throw IngestException.of(Kind.FORBIDDEN, "device " + device.id() + " belongs to greenhouse "
                    + device.greenhouseId() + ", not " + greenhouse);
        }
        if (deviceId != null && !deviceId.equals(device.id())) {
            throw IngestException.of(Kind.FORBIDDEN, "the token is device " + device.id()
                    + "'s; it cannot send for device " + deviceId);
        }
        if (zone != null && !device.mayReportFor(zone)) {
            throw IngestException.of(Kind.FORBIDDEN, "device " + device.id() + " may report for zones "
                    + device.zones() + ", not " + zone);
        }
    }

    private void decide(ValidatedBatch checked, int items, boolean partial, boolean canBePartial) {
        if (!checked.rejected().isEmpty() && !partial) {
            checked.rejected().forEach(e -> metrics.items("rejected", e.code(), 1));
            boolean structural = checked.rejected().stream().anyMatch(e -> STRUCTURAL.contains(e.code()));
            throw IngestException.invalid(structural ? Kind.MALFORMED : Kind.UNPROCESSABLE,
                    checked.rejected().size() + " of " + items + " items are invalid; nothing was accepted"
                            + (canBePartial ? " (send ?partial=true to accept the valid ones)" : ""), checked.rejected());
        }
        if (!checked.hasAccepted() && checked.quarantined().isEmpty()) {
            checked.rejected().forEach(e -> metrics.items("rejected", e.code(), 1));
            throw IngestException.invalid(Kind.UNPROCESSABLE, "none of the " + items + " items is valid",
                    checked.rejected());
        }
    }

    private static Events.Builder event(ReadingsBatch batch, Origin origin, Mode mode, String kind, String contentKey) {
        // A backfill of the same items is another event than their live sending: its own ids.
        String idKind = mode == Mode.BACKFILL ? "backfill-" + kind : kind;
        Events.Builder builder = Events.of(batch)
                .id(Events.derivedId(idKind, batch.greenhouseId(), batch.zoneId(), batch.deviceId(), contentKey))
                .source(SOURCE)
                .subject(batch.deviceId());
        if (mode == Mode.BACKFILL) {
            builder.extension(Extensions.BACKFILL, "true");
        }
        if (origin.event() != null) {
            builder.causedBy(origin.event());
        } else {
            builder.traceparent(origin.traceparent());
        }
        return builder;
    }

    private IngestResult result(Prepared prepared) {
        ValidatedBatch checked = prepared.checked();
        int items = prepared.items();
        List<String> eventIds = prepared.eventIds();
        int accepted = checked.readings().size() + checked.actuators().size();
        metrics.items("accepted", prepared.mode() == Mode.BACKFILL ? "backfill" : "valid", accepted);
        checked.quarantined().forEach(q -> metrics.items("quarantined", q.code(), 1));
        checked.rejected().forEach(e -> metrics.items("rejected", e.code(), 1));
        metrics.items("duplicate", "duplicate", checked.duplicates());
        if (prepared.mode() != Mode.BACKFILL) {
            metrics.zone(checked.greenhouseId(), checked.zoneId(), accepted, checked.quarantined().size());
        }
        return new IngestResult(prepared.mode() == Mode.BACKFILL ? "backfill" : null, items, accepted,
                checked.quarantined().size(), checked.rejected().size(), checked.duplicates(), eventIds, checked.rejected(),
                checked.quarantined().stream().map(q -> ItemError.of(q.pointer(), q.code(), q.reason())).toList());
    }

    private IngestException kafkaFailure(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof RecordTooLargeException) {
            return IngestException.of(Kind.TOO_LARGE, "a record exceeds Kafka's size limit; send smaller batches");
        }
        String why = cause instanceof TimeoutException
                ? "no acknowledgement within " + config.kafka().ackTimeout().toSeconds() + " s"
                : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        return IngestException.retryLater(Kind.KAFKA_UNAVAILABLE, "Kafka did not acknowledge the readings (" + why
                + "); the request is not accepted. Resend it: records that did reach Kafka carry the same"
                + " ids and are dropped as duplicates", config.limits().retryAfterSeconds(), cause);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
