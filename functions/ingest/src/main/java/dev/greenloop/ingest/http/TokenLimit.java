package dev.greenloop.ingest.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import dev.greenloop.ingest.IngestException;
import dev.greenloop.ingest.IngestException.Kind;

import java.io.IOException;

/**
 * Bounds the JSON values of a body before it is parsed into a tree. A tree costs memory per value,
 * not per byte: four bytes of {@code {},} become an object node of about a hundred, so a body
 * within the byte limit could still take many times its size of heap. A batch of at most
 * {@code maxItems} items has at most {@link #TOKENS_PER_ITEM} tokens per item and a little
 * envelope; a body with more is refused (413) after one streaming pass that keeps nothing.
 */
final class TokenLimit {

    /** A reading or actuator state, or a CloudEvent's envelope, in JSON tokens, with room to spare. */
    static final int TOKENS_PER_ITEM = 40;
    static final int ENVELOPE_TOKENS = 1_024;
    /** Bodies this small cannot grow into much heap whatever they hold; they are not counted. */
    private static final int UNCOUNTED_BYTES = 64 * 1024;

    private static final JsonFactory FACTORY = new JsonFactory();

    private TokenLimit() {
    }

    /**
     * Throws 413 when {@code body} holds more JSON tokens than a request of at most {@code maxItems}
     * items may. A body that is not JSON is let through: the parse that follows reports where it breaks.
     */
    static void check(byte[] body, int maxItems) {
        if (body == null || body.length <= UNCOUNTED_BYTES) {
            return;
        }
        long maxTokens = (long) maxItems * TOKENS_PER_ITEM + ENVELOPE_TOKENS;
        long tokens = 0;
        try (JsonParser parser = FACTORY.createParser(body)) {
            // nextToken does not decode strings or numbers: counting costs little.
            while (parser.nextToken() != null) {
                if (++tokens > maxTokens) {
                    throw IngestException.of(Kind.TOO_LARGE, "the body holds more than " + maxTokens
                            + " JSON values and names; a request of at most " + maxItems
                            + " items holds fewer: send fewer items per request");
                }
            }
        } catch (IOException e) {
            // Not JSON (or not only JSON): the real parse says why.
        }
    }
}
