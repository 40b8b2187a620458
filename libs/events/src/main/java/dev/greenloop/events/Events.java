package dev.greenloop.events;

import dev.greenloop.events.json.PayloadCodec;
import dev.greenloop.events.payload.EventPayload;
import io.cloudevents.CloudEvent;
import io.cloudevents.CloudEventData;
import io.cloudevents.core.builder.CloudEventBuilder;

import java.net.URI;
import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Building and reading the contract's CloudEvents.
 *
 * <pre>{@code
 * CloudEvent out = Events.of(window)
 *         .source(SOURCE)
 *         .id(Events.derivedId("window", zoneId, windowStart.toString()))
 *         .causedBy(incoming)
 *         .build();
 * ReadingsBatch batch = Events.payload(incoming, ReadingsBatch.class);
 * }</pre>
 */
public final class Events {

    /** Content type of every payload. */
    public static final String JSON = "application/json";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static volatile Supplier<String> currentSpan = () -> null;
    private static final java.util.regex.Pattern TRACEPARENT =
            java.util.regex.Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

    private Events() {
    }

    /** A builder for an event carrying {@code payload}; type, dataschema and location come from it. */
    public static Builder of(EventPayload payload) {
        return new Builder(payload);
    }

    /**
     * An id that is the same every time for the same parts, so that a redelivered input produces
     * the same output id and consumers can dedupe. A name-based UUID (RFC 4122 version 5 layout
     * over SHA-256 of the parts, joined with a separator that cannot occur in ids).
     */
    public static String derivedId(String... parts) {
        return EventIds.derived(parts);
    }

    /**
     * Where the span the current thread works in is, as a W3C {@code traceparent} (null when
     * none): a process that traces sets it once, and every event it builds from then on carries
     * that span as its {@code traceparent}, so the next hop's span is a child of this hop's.
     * Unset (the default, and in processes that do not trace), events carry their cause's
     * {@code traceparent} unchanged.
     */
    public static void traceWith(Supplier<String> current) {
        currentSpan = Objects.requireNonNull(current, "current");
    }

    /** A fresh W3C {@code traceparent} (sampled), for events that start a trace. */
    public static String newTraceparent() {
        byte[] trace = new byte[16];
        byte[] span = new byte[8];
        RANDOM.nextBytes(trace);
        RANDOM.nextBytes(span);
        HexFormat hex = HexFormat.of();
        return "00-" + hex.formatHex(trace) + "-" + hex.formatHex(span) + "-01";
    }

    /**
     * The validated payload of {@code event}.
     *
     * @throws EventException {@code UNKNOWN_TYPE}, {@code INVALID_ATTRIBUTE} (no data, not JSON,
     *                        or a payload of another type than asked), or a payload error
     */
    public static <T extends EventPayload> T payload(CloudEvent event, Class<T> payloadType) {
        EventType type = EventType.of(event.getType());
        if (!type.payloadType().equals(payloadType)) {
            throw EventException.invalidAttribute("type", "is " + event.getType() + ", expected "
                    + EventType.forPayload(payloadType).type());
        }
        String contentType = event.getDataContentType();
        if (contentType != null && !contentType.toLowerCase().startsWith(JSON)) {
            throw EventException.invalidAttribute("datacontenttype", "is '" + contentType + "', expected " + JSON);
        }
        CloudEventData data = event.getData();
        if (data == null) {
            throw EventException.invalidAttribute("data", "is missing");
        }
        return PayloadCodec.read(type, data.toBytes());
    }

    /** A string extension of {@code event}, if present. */
    public static Optional<String> extension(CloudEvent event, String name) {
        return Optional.ofNullable(event.getExtension(name)).map(Object::toString);
    }

    /** Builds an outgoing event. Not thread-safe; one builder per event. */
    public static final class Builder {
        private final EventPayload payload;
        private final EventType type;
        private final CloudEventBuilder delegate = CloudEventBuilder.v1();
        private String id;
        private URI source;
        private String traceparent;
        private OffsetDateTime time;
        private byte[] data;

        private Builder(EventPayload payload) {
            this.payload = Objects.requireNonNull(payload, "payload");
            this.type = EventType.forPayload(payload.getClass());
        }

        /** The event id; prefer {@link Events#derivedId} so that redelivery yields the same id. */
        public Builder id(String id) {
            this.id = id;
            return this;
        }

        /** The function or device that emits the event, e.g. {@code /greenloop/preprocess}. */
        public Builder source(URI source) {
            this.source = source;
            return this;
        }

        public Builder subject(String subject) {
            delegate.withSubject(subject);
            return this;
        }

        /**
         * The payload's JSON when the caller has it already (it hashed it, say), so that it is
         * not written twice. Must be {@code PayloadCodec.write(payload)} of this builder's payload.
         */
        public Builder serialized(byte[] json) {
            this.data = json;
            return this;
        }

        /** Event time; defaults to now. */
        public Builder time(OffsetDateTime time) {
            this.time = time;
            return this;
        }

        /**
         * Links this event to the one that caused it: {@code causationid} is the cause's id,
         * and {@code traceparent}/{@code tracestate} are carried over (the current span's
         * {@code traceparent} instead, when the process traces: {@link #traceWith}).
         */
        public Builder causedBy(CloudEvent cause) {
            return causedBy(cause.getId(), name -> cause.getExtension(name));
        }

        /** Like {@link #causedBy(CloudEvent)} for events held in other representations (Funqy). */
        public Builder causedBy(String causeId, Map<String, String> causeExtensions) {
            return causedBy(causeId, causeExtensions::get);
        }

        private Builder causedBy(String causeId, Function<String, Object> extensions) {
            delegate.withExtension(Extensions.CAUSATION_ID, Objects.requireNonNull(causeId, "cause id"));
            Object parent = extensions.apply(Extensions.TRACEPARENT);
            if (parent != null) {
                traceparent = parent.toString();
            }
            Object state = extensions.apply(Extensions.TRACESTATE);
            if (state != null) {
                delegate.withExtension(Extensions.TRACESTATE, state.toString());
            }
            return this;
        }

        /**
         * Continues the trace of an incoming request ({@code traceparent} header of a device's
         * HTTP request). Ignored when null or not a valid W3C traceparent; a new trace starts then.
         */
        public Builder traceparent(String parent) {
            if (parent != null && TRACEPARENT.matcher(parent).matches()) {
                this.traceparent = parent;
            }
            return this;
        }

        /** Sets another extension attribute (lower-case alphanumeric name). */
        public Builder extension(String name, String value) {
            delegate.withExtension(name, value);
            return this;
        }

        /** The current span when the process traces, else the cause's or request's, else a new trace. */
        private String parent() {
            String span = currentSpan.get();
            if (span != null && TRACEPARENT.matcher(span).matches()) {
                return span;
            }
            return traceparent != null ? traceparent : newTraceparent();
        }

        public CloudEvent build() {
            if (id == null) {
                throw new IllegalStateException("an outgoing event needs an id");
            }
            if (source == null) {
                throw new IllegalStateException("an outgoing event needs a source");
            }
            delegate.withId(id)
                    .withSource(source)
                    .withType(type.type())
                    .withDataSchema(type.dataSchema())
                    .withDataContentType(JSON)
                    .withData(data != null ? data : PayloadCodec.write(payload))
                    .withExtension(Extensions.GREENHOUSE_ID, payload.greenhouseId())
                    .withExtension(Extensions.TRACEPARENT, parent());
            String zone = payload.zoneIdOrNull();
            if (zone != null) {
                delegate.withExtension(Extensions.ZONE_ID, zone);
            }
            delegate.withTime(time != null ? time : OffsetDateTime.now(ZoneOffset.UTC));
            return delegate.build();
        }
    }
}
