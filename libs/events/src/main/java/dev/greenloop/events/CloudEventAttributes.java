package dev.greenloop.events;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The CloudEvents 1.0 attribute rules (and greenloop's sizes) checked before any attribute is
 * used, logged or copied into a Kafka header: {@code id}, {@code source} and {@code type} are
 * non-empty and bounded, {@code specversion} is {@code 1.0}, {@code time} is RFC 3339 with
 * seconds and a full offset, {@code subject}, {@code dataschema} and {@code datacontenttype} are
 * non-empty when present (a URI, a media type), extension names are lower-case letters and
 * digits, {@code traceparent} and {@code tracestate} follow W3C Trace Context.
 */
public final class CloudEventAttributes {

    /** Longest id, type, subject or extension value accepted. */
    public static final int MAX_VALUE_LENGTH = 256;
    /** Longest source or dataschema accepted. */
    public static final int MAX_URI_LENGTH = 2048;
    /** W3C Trace Context: a tracestate of at most 32 members of at most 256 characters; 512 is what we carry. */
    public static final int MAX_TRACESTATE_LENGTH = 512;

    private static final java.util.Set<String> CORE = java.util.Set.of("specversion", "id", "source", "type", "time",
            "subject", "dataschema", "datacontenttype");
    private static final Pattern EXTENSION_NAME = Pattern.compile("[a-z0-9]{1,20}");
    private static final Pattern TRACEPARENT = Pattern.compile("00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}");
    private static final Pattern TRACESTATE_MEMBER = Pattern.compile(
            "[a-z0-9][a-z0-9_\\-*/@]{0,255}=[\\x20-\\x2b\\x2d-\\x3c\\x3e-\\x7e]{0,255}[\\x21-\\x2b\\x2d-\\x3c\\x3e-\\x7e]");
    private static final Pattern RFC3339 = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})");
    private static final Pattern MEDIA_TYPE = Pattern.compile(
            "[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+(\\s*;\\s*[A-Za-z0-9!#$&^_.+-]+=(\"[^\"]*\"|[A-Za-z0-9!#$&^_.+-]+))*");
    private static final Pattern PRINTABLE = Pattern.compile("[\\x20-\\x7e\\u00a0-\\uffff]*");

    private CloudEventAttributes() {
    }

    /**
     * Checks every attribute of {@code attributes} (name, lower case, to its string form).
     *
     * @throws EventException {@code INVALID_ATTRIBUTE}, naming the first attribute that breaks a rule
     */
    public static void check(Map<String, String> attributes) {
        String specversion = attributes.get("specversion");
        if (specversion == null) {
            throw EventException.invalidAttribute("specversion", "is missing (CloudEvents 1.0: \"1.0\")");
        }
        if (!"1.0".equals(specversion)) {
            throw EventException.invalidAttribute("specversion", "is '" + clip(specversion) + "'; only 1.0 is understood");
        }
        required(attributes, "id", MAX_VALUE_LENGTH);
        required(attributes, "type", MAX_VALUE_LENGTH);
        uriReference("source", required(attributes, "source", MAX_URI_LENGTH));
        for (Map.Entry<String, String> a : attributes.entrySet()) {
            String name = a.getKey();
            String value = a.getValue();
            switch (name) {
                case "specversion", "id", "type", "source", "data", "data_base64" -> {
                    // checked above, or not an attribute
                }
                case "time" -> time(value);
                case "subject" -> nonEmpty(name, value, MAX_VALUE_LENGTH);
                case "dataschema" -> {
                    nonEmpty(name, value, MAX_URI_LENGTH);
                    uri(name, value);
                }
                case "datacontenttype" -> {
                    nonEmpty(name, value, MAX_VALUE_LENGTH);
                    if (!MEDIA_TYPE.matcher(value).matches()) {
                        throw EventException.invalidAttribute(name, "'" + clip(value) + "' is not a media type (RFC 2046)");
                    }
                }
                case Extensions.TRACEPARENT -> {
                    if (value == null || !TRACEPARENT.matcher(value).matches()) {
                        throw EventException.invalidAttribute(name, "'" + clip(value)
                                + "' is not a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>)");
                    }
                }
                case Extensions.TRACESTATE -> tracestate(value);
                default -> extension(name, value);
            }
        }
    }

    /**
     * The attributes of a structured-mode event (every top-level member but {@code data} and
     * {@code data_base64}), checked; an event without data is refused too.
     *
     * @throws EventException when the envelope is not a JSON object, an attribute has the wrong
     *                        JSON type, the event has no data (or both kinds), or an attribute
     *                        breaks a rule
     */
    public static Map<String, String> checkEnvelope(JsonNode envelope) {
        return checkEnvelope(envelope, true);
    }

    /**
     * Like {@link #checkEnvelope(JsonNode)}; {@code requireData} false accepts an event without
     * data, as the CloudEvents specification does. A member set to {@code null} is absent; the
     * core attributes are strings; an extension is a string, a boolean or a 32-bit integer.
     */
    public static Map<String, String> checkEnvelope(JsonNode envelope, boolean requireData) {
        if (envelope == null || !envelope.isObject()) {
            throw EventException.malformedJson("a structured CloudEvent is a JSON object, not "
                    + (envelope == null ? "nothing" : envelope.getNodeType().toString().toLowerCase(Locale.ROOT)), null);
        }
        Map<String, String> attributes = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = envelope.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> member = it.next();
            String name = member.getKey();
            JsonNode value = member.getValue();
            if (name.equals("data") || name.equals("data_base64") || value.isNull()) {
                continue;
            }
            if (CORE.contains(name)) {
                if (!value.isTextual()) {
                    throw EventException.invalidAttribute(name, "must be a JSON string, not " + value.getNodeType()
                            .toString().toLowerCase(Locale.ROOT));
                }
            } else if (!value.isTextual() && !value.isBoolean() && !(value.isIntegralNumber() && value.canConvertToInt())) {
                throw EventException.invalidAttribute(clip(name), "must be a string, a boolean or a 32-bit integer");
            }
            attributes.put(name, value.asText());
        }
        boolean data = envelope.hasNonNull("data");
        boolean base64 = envelope.hasNonNull("data_base64");
        if (data && base64) {
            throw EventException.malformedJson("an event has data or data_base64, not both", null);
        }
        if (requireData && !data && !base64) {
            throw EventException.malformedJson("the event has no data", null);
        }
        check(attributes);
        return attributes;
    }

    /**
     * The attributes of a binary-mode event: its {@code ce-*} headers (name, value; any case)
     * and its Content-Type as {@code datacontenttype}, checked; a header given twice is an error.
     */
    public static Map<String, String> checkHeaders(Iterable<Map.Entry<String, String>> headers, String contentType) {
        Map<String, String> attributes = new HashMap<>();
        for (Map.Entry<String, String> h : headers) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (name.startsWith("ce-") && attributes.put(name.substring(3), h.getValue()) != null) {
                throw EventException.invalidAttribute(clip(name.substring(3)), "is given twice (two " + clip(name)
                        + " headers)");
            }
        }
        if (contentType != null) {
            attributes.put("datacontenttype", contentType);
        }
        check(attributes);
        return attributes;
    }

    private static String required(Map<String, String> attributes, String name, int max) {
        String value = attributes.get(name);
        if (value == null) {
            throw EventException.invalidAttribute(name, "is missing");
        }
        nonEmpty(name, value, max);
        return value;
    }

    private static void nonEmpty(String name, String value, int max) {
        if (value == null || value.isEmpty()) {
            throw EventException.invalidAttribute(name, "is empty; CloudEvents requires a non-empty string");
        }
        if (value.length() > max) {
            throw EventException.invalidAttribute(name, "is " + value.length() + " characters long; at most " + max
                    + " are accepted");
        }
        if (!PRINTABLE.matcher(value).matches()) {
            throw EventException.invalidAttribute(name, "contains control characters");
        }
    }

    private static void uriReference(String name, String value) {
        try {
            new URI(value);
        } catch (URISyntaxException e) {
            throw EventException.invalidAttribute(name, "'" + clip(value) + "' is not a URI-reference: " + e.getReason());
        }
    }

    private static void uri(String name, String value) {
        try {
            if (!new URI(value).isAbsolute()) {
                throw EventException.invalidAttribute(name, "'" + clip(value) + "' is not an absolute URI");
            }
        } catch (URISyntaxException e) {
            throw EventException.invalidAttribute(name, "'" + clip(value) + "' is not a URI: " + e.getReason());
        }
    }

    private static void time(String value) {
        if (value == null || !RFC3339.matcher(value).matches()) {
            throw EventException.invalidAttribute("time", "'" + clip(value)
                    + "' is not an RFC 3339 timestamp with seconds and an offset (2026-06-21T12:00:00Z)");
        }
        try {
            OffsetDateTime.parse(value.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw EventException.invalidAttribute("time", "'" + clip(value) + "' is not a valid date and time");
        }
    }

    private static void tracestate(String value) {
        if (value == null || value.length() > MAX_TRACESTATE_LENGTH) {
            throw EventException.invalidAttribute("tracestate", "is " + (value == null ? "missing" : value.length()
                    + " characters long; at most " + MAX_TRACESTATE_LENGTH + " are carried"));
        }
        String[] members = value.split(",", -1);
        if (members.length > 32) {
            throw EventException.invalidAttribute("tracestate", "has " + members.length + " members; W3C allows 32");
        }
        for (String member : members) {
            String m = member.strip();
            if (!m.isEmpty() && !TRACESTATE_MEMBER.matcher(m).matches()) {
                throw EventException.invalidAttribute("tracestate", "member '" + clip(m) + "' is not key=value (W3C Trace Context)");
            }
        }
    }

    private static void extension(String name, String value) {
        if (!EXTENSION_NAME.matcher(name).matches()) {
            throw EventException.invalidAttribute(clip(name), "is not a CloudEvents attribute name (1-20 lower-case letters"
                    + " or digits)");
        }
        if (value != null && value.length() > MAX_URI_LENGTH) {
            throw EventException.invalidAttribute(name, "is " + value.length() + " characters long; at most "
                    + MAX_URI_LENGTH + " are accepted");
        }
        if (value != null && !PRINTABLE.matcher(value).matches()) {
            throw EventException.invalidAttribute(name, "contains control characters");
        }
    }

    private static String clip(String value) {
        if (value == null) {
            return "null";
        }
        return value.length() <= 60 ? value : value.substring(0, 60) + "…";
    }
}
