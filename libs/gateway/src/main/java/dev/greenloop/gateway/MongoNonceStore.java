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
 * {@code {_id: "<keyId>:<nonce>", forgetAfter}}: the unique {@code _id} decides, atomically, which
 * verifier saw the nonce first. Expired nonces are deleted by a sweep run at most once per
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
        try {
            sweepIfDue(now);
            nonces.insertOne(new Document("_id", keyId + ":" + nonce).append("forgetAfter", Date.from(forgetAfter)));
            return true;
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                return false;
            }
            throw unavailable(e);
        } catch (MongoException e) {
            throw unavailable(e);
        }
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
