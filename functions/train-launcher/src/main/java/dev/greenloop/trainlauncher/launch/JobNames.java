package dev.greenloop.trainlauncher.launch;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/** Names and label values Kubernetes accepts, derived deterministically. */
public final class JobNames {

    private JobNames() {
    }

    /** {@code train-<greenhouse>-<10 hex of the cause>}: a DNS-1123 label, at most 63 characters. */
    public static String of(String greenhouseId, String causeId) {
        String hash = hash(causeId).substring(0, 10);
        String g = dns(greenhouseId);
        int room = 63 - "train-".length() - 1 - hash.length();
        if (g.length() > room) {
            g = g.substring(0, room).replaceAll("-+$", "");
        }
        return "train-" + g + "-" + hash;
    }

    /** A label value: at most 63 of {@code [A-Za-z0-9._-]}, starting and ending alphanumeric. */
    public static String labelValue(String value) {
        String v = value.replaceAll("[^A-Za-z0-9._-]", "-");
        if (v.length() > 63) {
            v = v.substring(0, 63);
        }
        return v.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
    }

    public static String hash(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String dns(String value) {
        String v = value.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("-{2,}", "-");
        return v.replaceAll("^-+", "").replaceAll("-+$", "");
    }
}
