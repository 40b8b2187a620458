package dev.greenloop.clients;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;

/**
 * TLS that trusts exactly the certificate authorities of one PEM file (a private CA of the
 * cluster's MongoDB, for instance) instead of the JVM's.
 */
public final class PemTrust {

    private PemTrust() {
    }

    /**
     * An SSL context trusting the certificates of {@code pemFile}.
     *
     * @throws IllegalArgumentException naming the file and {@code setting} when it cannot be read
     *                                  or holds no certificate
     */
    public static SSLContext sslContext(Path pemFile, String setting) {
        try (InputStream in = Files.newInputStream(pemFile)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException(setting + " " + pemFile + " holds no PEM certificate");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("ca-" + i++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new IllegalArgumentException(setting + " " + pemFile + " cannot be read: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(setting + " " + pemFile + " is not a PEM certificate file: "
                    + e.getMessage(), e);
        }
    }
}
