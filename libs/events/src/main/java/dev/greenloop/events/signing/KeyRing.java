package dev.greenloop.events.signing;

import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The keys a signer or verifier holds, in the order they were given, and per greenhouse the one
 * <i>active</i> key that signs its new commands. A verifier accepts every key of the command's
 * greenhouse, so during a rotation commands signed with the old key verify until they expire
 * while new ones are signed with the new key. A greenhouse with one key signs with it; one with
 * several must have one marked active. Immutable and thread-safe.
 */
public final class KeyRing {

    private final Map<String, SigningKey> keys;
    private final Map<String, SigningKey> active;
    private final Map<String, List<SigningKey>> byGreenhouse;

    private KeyRing(List<SigningKey> ordered, Set<String> activeIds) {
        Map<String, SigningKey> byId = new LinkedHashMap<>();
        Map<String, List<SigningKey>> groups = new LinkedHashMap<>();
        for (SigningKey key : ordered) {
            if (byId.putIfAbsent(key.keyId(), key) != null) {
                throw new IllegalArgumentException("key id " + key.keyId() + " appears twice");
            }
            groups.computeIfAbsent(key.greenhouseId(), g -> new ArrayList<>()).add(key);
        }
        for (String id : activeIds) {
            if (!byId.containsKey(id)) {
                throw new IllegalArgumentException("active key " + id + " is not in the ring");
            }
        }
        Map<String, SigningKey> act = new LinkedHashMap<>();
        groups.forEach((greenhouse, list) -> {
            List<SigningKey> marked = list.stream().filter(k -> activeIds.contains(k.keyId())).toList();
            if (marked.size() > 1) {
                throw new IllegalArgumentException("greenhouse " + greenhouse + " has " + marked.size()
                        + " keys marked active (" + marked.stream().map(SigningKey::keyId).toList() + "); mark one");
            }
            if (marked.size() == 1) {
                act.put(greenhouse, marked.get(0));
            } else if (list.size() == 1) {
                act.put(greenhouse, list.get(0));
            }
        });
        Map<String, List<SigningKey>> frozen = new LinkedHashMap<>();
        groups.forEach((g, list) -> frozen.put(g, List.copyOf(list)));
        this.keys = Collections.unmodifiableMap(byId);
        this.active = Collections.unmodifiableMap(act);
        this.byGreenhouse = Collections.unmodifiableMap(frozen);
    }

    public static KeyRing of(SigningKey... keys) {
        return of(List.of(keys));
    }

    /** Keys without an explicit active one: each greenhouse with a single key signs with it. */
    public static KeyRing of(Collection<SigningKey> keys) {
        return new KeyRing(List.copyOf(keys), Set.of());
    }

    /** Keys, with the ids of the active ones (at most one per greenhouse). */
    public static KeyRing of(Collection<SigningKey> keys, Set<String> activeKeyIds) {
        return new KeyRing(List.copyOf(keys), Set.copyOf(activeKeyIds));
    }

    /**
     * Parses the configuration form {@code keyId:greenhouseId:base64Secret[:active][,...]}, as kept
     * in a Kubernetes Secret. Standard or URL-safe base64 are both accepted. A greenhouse with more
     * than one key (a rotation) marks the one that signs new commands {@code :active}; the others
     * are still accepted by verifiers.
     */
    public static KeyRing parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("no signing keys configured (expected keyId:greenhouseId:base64Secret)");
        }
        List<SigningKey> keys = new ArrayList<>();
        Set<String> activeIds = new java.util.HashSet<>();
        for (String entry : spec.split(",")) {
            String[] parts = entry.trim().split(":", 4);
            if (parts.length < 3 || (parts.length == 4 && !parts[3].trim().equals("active"))) {
                throw new IllegalArgumentException("signing key entry '" + redact(entry)
                        + "' is not keyId:greenhouseId:base64Secret[:active]");
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
            if (parts.length == 4) {
                activeIds.add(parts[0].trim());
            }
        }
        return of(keys, activeIds);
    }

    public Optional<SigningKey> find(String keyId) {
        return Optional.ofNullable(keys.get(keyId));
    }

    /**
     * The key that signs new commands for {@code greenhouseId}: the one marked active, or its only
     * key. Empty when the ring holds none for it.
     *
     * @throws IllegalStateException when the greenhouse has several keys and none is marked active
     */
    public Optional<SigningKey> forGreenhouse(String greenhouseId) {
        SigningKey key = active.get(greenhouseId);
        if (key == null && byGreenhouse.containsKey(greenhouseId)) {
            throw new IllegalStateException("greenhouse " + greenhouseId + " has keys " + accepted(greenhouseId).stream()
                    .map(SigningKey::keyId).toList() + " and none is marked active (keyId:greenhouseId:secret:active)");
        }
        return Optional.ofNullable(key);
    }

    /** Every key a verifier accepts for {@code greenhouseId}, in the order given. */
    public List<SigningKey> accepted(String greenhouseId) {
        return byGreenhouse.getOrDefault(greenhouseId, List.of());
    }

    /** Greenhouses with several keys and none marked active: they cannot be signed for. */
    public List<String> withoutActiveKey() {
        return byGreenhouse.keySet().stream().filter(g -> !active.containsKey(g)).toList();
    }

    public int size() {
        return keys.size();
    }

    private static String redact(String entry) {
        String[] parts = entry.trim().split(":", 4);
        return parts.length >= 2 ? parts[0] + ":" + parts[1] + ":***" : "<unparseable>";
    }
}
