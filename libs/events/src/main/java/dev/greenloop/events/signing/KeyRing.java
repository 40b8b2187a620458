package dev.greenloop.events.signing;

import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The keys a signer or verifier holds, by key id. Immutable and thread-safe.
 */
public final class KeyRing {

    private final Map<String, SigningKey> keys;

    private KeyRing(Map<String, SigningKey> keys) {
        this.keys = Map.copyOf(keys);
    }

    public static KeyRing of(SigningKey... keys) {
        return of(java.util.List.of(keys));
    }

    public static KeyRing of(Collection<SigningKey> keys) {
        Map<String, SigningKey> byId = new LinkedHashMap<>();
        for (SigningKey key : keys) {
            if (byId.putIfAbsent(key.keyId(), key) != null) {
                throw new IllegalArgumentException("key id " + key.keyId() + " appears twice");
            }
        }
        return new KeyRing(byId);
    }

    /**
     * Parses the configuration form {@code keyId:greenhouseId:base64Secret[,...]}, as kept in a
     * Kubernetes Secret. Standard or URL-safe base64 are both accepted.
     */
    public static KeyRing parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("no signing keys configured (expected keyId:greenhouseId:base64Secret)");
        }
        java.util.List<SigningKey> keys = new java.util.ArrayList<>();
        for (String entry : spec.split(",")) {
            String[] parts = entry.trim().split(":", 3);
            if (parts.length != 3) {
                throw new IllegalArgumentException("signing key entry '" + redact(entry)
                        + "' is not keyId:greenhouseId:base64Secret");
            }
            byte[] secret;
            try {
                String encoded = parts[2].trim();
                secret = encoded.contains("-") || encoded.contains("_")
                        ? Base64.getUrlDecoder().decode(encoded)
                        : Base64.getDecoder().decode(encoded);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("secret of signing key " + parts[0] + " is not base64", e);
            }
            keys.add(new SigningKey(parts[0].trim(), parts[1].trim(), secret));
        }
        return of(keys);
    }

    public Optional<SigningKey> find(String keyId) {
        return Optional.ofNullable(keys.get(keyId));
    }

    /** The key that signs commands for {@code greenhouseId}, if the ring holds one. */
    public Optional<SigningKey> forGreenhouse(String greenhouseId) {
        return keys.values().stream().filter(k -> k.greenhouseId().equals(greenhouseId)).findFirst();
    }

    public int size() {
        return keys.size();
    }

    private static String redact(String entry) {
        int cut = entry.lastIndexOf(':');
        return cut < 0 ? "<unparseable>" : entry.substring(0, cut + 1) + "***";
    }
}
