package dev.greenloop.events.signing;

import dev.greenloop.events.EventException;

import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link NonceStore} for one process. Memory is bounded: expired nonces are purged when the
 * store fills, and if it is still full the verifier refuses (fails closed) instead of
 * forgetting a nonce that could then be replayed. Thread-safe.
 */
public final class InMemoryNonceStore implements NonceStore {

    private final int capacity;
    private final Map<String, Instant> nonces = new ConcurrentHashMap<>();

    public InMemoryNonceStore(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
    }

    @Override
    public boolean markUsed(String keyId, String nonce, Instant forgetAfter, Instant now) {
        if (nonces.size() >= capacity) {
            purge(now);
            if (nonces.size() >= capacity) {
                throw EventException.rejected(EventException.Kind.NONCE_CAPACITY,
                        "nonce store is full (" + capacity + " unexpired nonces); command not accepted");
            }
        }
        return nonces.putIfAbsent(keyId + ':' + nonce, forgetAfter) == null;
    }

    /** Number of nonces currently remembered. */
    public int size() {
        return nonces.size();
    }

    private void purge(Instant now) {
        for (Iterator<Instant> it = nonces.values().iterator(); it.hasNext(); ) {
            if (it.next().isBefore(now)) {
                it.remove();
            }
        }
    }
}
