package dev.greenloop.gateway;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import dev.greenloop.events.EventException;
import dev.greenloop.events.signing.NonceStore;
import org.bson.Document;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link NonceStore} in a MongoDB collection, for gateways: it survives a restart and every
 * replica of a gateway shares it, so a captured command cannot be replayed within its validity
 * after a restart or against another replica. One document per nonce,
 * {@code {_id: "<keyId>:<nonce>", forgetAfter, attempt}}: the unique {@code _id} decides,
 * atomically, which verifier saw the nonce first. The verification attempt that wrote it is kept,
 * so that attempt's retry after an ambiguous write (MongoDB took the insert, the client saw an
 * error: a standalone server has no retryable writes) is recognised as its own and not as a
 * replay. Expired nonces are deleted by a sweep run at most once per
 * {@code sweepEvery} from {@link #markUsed}, not by a TTL index (which not every MongoDB-wire
 * server honours); an expired nonce that is still there only refuses a command the verifier
 * refuses anyway as expired. A MongoDB failure refuses the command ({@code NONCE_STORE_UNAVAILABLE},
 * fail closed). Thread-safe; blocking.
 */
public final class MongoNonceStore implements NonceStore {

    private final MongoCollection<Document> nonces;
    private final long sweepEveryMillis;
    private final AtomicLong nextSweep = new AtomicLong(Long.MIN_VALUE);

    /**
     * @param nonces     the collection (e.g. {@code gateway_nonces}); its only index is {@code _id}
     * @param sweepEvery how often expired nonces are deleted, at most
     */
    public MongoNonceStore(MongoCollection<Document> nonces, Duration sweepEvery) {
        this.nonces = Objects.requireNonNull(nonces, "nonces");
        this.sweepEveryMillis = sweepEvery.toMillis();
    }

    @Override
    public boolean markUsed(String keyId, String nonce, Instant forgetAfter, Instant now) {
        return markUsed(keyId, nonce, null, forgetAfter, now);
    }

    @Override
    public boolean markUsed(String keyId, String nonce, String attempt, Instant forgetAfter, Instant now) {
        String id = keyId + ":" + nonce;
        try {
            sweepIfDue(now);
            Document doc = new Document("_id", id).append("forgetAfter", Date.from(forgetAfter));
            if (attempt != null) {
                doc.append("attempt", attempt);
            }
            nonces.insertOne(doc);
            return true;
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                return attempt != null && ownedBy(id, attempt);
            }
            throw unavailable(e);
        } catch (MongoException e) {
            throw unavailable(e);
        }
    }

    /** Whether the nonce's record was written by {@code attempt} (its own insert, which it did not see succeed). */
    private boolean ownedBy(String id, String attempt) {
        Document existing = nonces.find(Filters.eq("_id", id)).first();
        return existing != null && attempt.equals(existing.getString("attempt"));
    }

    /** Deletes the nonces whose {@code forgetAfter} passed; returns how many. */
    public long sweep(Instant now) {
        try {
            return nonces.deleteMany(Filters.lt("forgetAfter", Date.from(now))).getDeletedCount();
        } catch (MongoException e) {
            throw unavailable(e);
        }
    }

    /** Nonces remembered now (expired ones not yet swept included). */
    public long size() {
        return nonces.countDocuments();
    }

    private void sweepIfDue(Instant now) {
        long due = nextSweep.get();
        long t = now.toEpochMilli();
        // One verifier of the process sweeps; the others go on.
        if (t >= due && nextSweep.compareAndSet(due, t + sweepEveryMillis)) {
            sweep(now);
        }
    }

    private static EventException unavailable(MongoException e) {
        return EventException.rejected(EventException.Kind.NONCE_STORE_UNAVAILABLE,
                "the nonce store is unavailable (" + e.getMessage() + "); command not accepted");
    }
}
