package dev.greenloop.deadletters;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * A dead letter as Knative's KafkaSink wrote it: the event that could not be delivered, with the
 * {@code knativeerror*} extensions that say where it was going ({@code knativeerrordest}), what the
 * destination answered ({@code knativeerrorcode}) and its answer, base64 ({@code knativeerrordata}).
 */
public record DeadLetter(int partition, long offset, Instant timestamp, CloudEvent event) {

    /** The extensions Knative adds to a dead letter; {@link #original()} drops them. */
    public static final String ERROR_PREFIX = "knativeerror";

    /** The most of the destination's answer Knative keeps in {@code knativeerrordata}. */
    public static final int MAX_ANSWER_BYTES = 1024;

    /**
     * {@code event} as Knative's KafkaSink writes it after delivering to {@code destination}
     * failed with {@code status} and {@code answer} (at most {@link #MAX_ANSWER_BYTES}, base64).
     */
    public static CloudEvent failed(CloudEvent event, String destination, int status, String answer) {
        byte[] data = answer.getBytes(StandardCharsets.UTF_8);
        return CloudEventBuilder.v1(event).withExtension("knativeerrordest", destination)
                .withExtension("knativeerrorcode", String.valueOf(status))
                .withExtension("knativeerrordata", Base64.getEncoder().encodeToString(
                        data.length > MAX_ANSWER_BYTES ? java.util.Arrays.copyOf(data, MAX_ANSWER_BYTES) : data)).build();
    }

    /** Where it is on the topic, {@code PARTITION:OFFSET}: what operators name it by. */
    public String position() {
        return partition + ":" + offset;
    }

    /** The status the destination answered ({@code ?} when Knative did not record one, e.g. no answer). */
    public String code() {
        Object c = event.getExtension("knativeerrorcode");
        return c == null ? "?" : c.toString();
    }

    /** Where Knative was delivering it ({@code ?} when not recorded). */
    public String destination() {
        Object d = event.getExtension("knativeerrordest");
        return d == null ? "?" : d.toString();
    }

    /** The reason, as counted: status and destination. */
    public String reason() {
        return code() + " from " + destination();
    }

    /** The destination's answer, decoded (empty when there was none). */
    public String answer() {
        Object data = event.getExtension("knativeerrordata");
        if (data == null) {
            return "";
        }
        try {
            return new String(Base64.getDecoder().decode(data.toString()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return data.toString();
        }
    }

    /** The event as it was before it failed: same id, the {@code knativeerror*} extensions removed. */
    public CloudEvent original() {
        CloudEventBuilder b = CloudEventBuilder.v1(event);
        for (String name : event.getExtensionNames()) {
            if (name.startsWith(ERROR_PREFIX)) {
                b.withoutExtension(name);
            }
        }
        return b.build();
    }

    /** The event's data as text (dead letters carry JSON); empty when it has none. */
    public String dataText() {
        return event.getData() == null ? "" : new String(event.getData().toBytes(), StandardCharsets.UTF_8);
    }

    /** {@code text} on one line, cut to {@code max} characters. */
    public static String oneLine(String text, int max) {
        String one = text.replaceAll("\\s+", " ").trim();
        return one.length() > max ? one.substring(0, max) + "..." : one;
    }
}
