package dev.greenloop.testkit.tls;

import dev.greenloop.testkit.TestkitException;
import dev.greenloop.testkit.TestkitException.Kind;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed server certificate for {@code 127.0.0.1} and {@code localhost}, made with the
 * JDK's {@code keytool}: a PKCS#12 key store for servers and the certificate in PEM, which
 * clients take as the one certificate authority they trust.
 */
public final class TestCertificate {

    private static final String PASSWORD = "greenloop-test";

    private final Path keyStore;
    private final Path certificatePem;

    private TestCertificate(Path keyStore, Path certificatePem) {
        this.keyStore = keyStore;
        this.certificatePem = certificatePem;
    }

    /** Creates {@code server.p12} and {@code server.pem} in {@code dir} (reused when present). */
    public static TestCertificate create(Path dir) {
        Path keyStore = dir.resolve("server.p12");
        Path pem = dir.resolve("server.pem");
        try {
            Files.createDirectories(dir);
            if (!Files.exists(pem)) {
                Files.deleteIfExists(keyStore);
                keytool(dir, "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048",
                        "-sigalg", "SHA256withRSA", "-dname", "CN=localhost", "-validity", "7",
                        "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-keystore", keyStore.toString(),
                        "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD);
                keytool(dir, "-exportcert", "-rfc", "-alias", "server", "-keystore", keyStore.toString(),
                        "-storetype", "PKCS12", "-storepass", PASSWORD, "-file", pem.toString());
            }
        } catch (IOException e) {
            throw new TestkitException(Kind.START_FAILED, "Cannot create a test certificate in " + dir, e);
        }
        return new TestCertificate(keyStore, pem);
    }

    /** PKCS#12 key store with the key and certificate under alias {@code server}. */
    public Path keyStore() {
        return keyStore;
    }

    public String password() {
        return PASSWORD;
    }

    /** The certificate in PEM: the trust anchor for clients. */
    public Path certificatePem() {
        return certificatePem;
    }

    public PrivateKey privateKey() {
        try {
            return (PrivateKey) load().getKey("server", PASSWORD.toCharArray());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot read the key of " + keyStore, e);
        }
    }

    public X509Certificate certificate() {
        try {
            return (X509Certificate) load().getCertificate("server");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot read the certificate of " + keyStore, e);
        }
    }

    private KeyStore load() {
        try (InputStream in = Files.newInputStream(keyStore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD.toCharArray());
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("Cannot read " + keyStore, e);
        }
    }

    private static void keytool(Path dir, String... args) throws IOException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new java.util.ArrayList<>(List.of(keytool.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new TestkitException(Kind.START_FAILED, "keytool " + args[0] + " failed: " + output.strip(), null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestkitException(Kind.START_FAILED, "Interrupted while running keytool", e);
        }
    }
}
