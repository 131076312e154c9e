package dev.switchboard.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * An {@link SSLContext} for the CLI's clients ({@code connect}, the REST verbs with {@code --cacert}) that trusts
 * the certificate authorities in one PEM file, such as {@code .switchboard/tls/ca.pem} of {@code dev --tls}, in
 * place of the system's (as {@code curl --cacert} does).
 */
public final class TrustedAuthority {
    private TrustedAuthority() {
    }

    /**
     * @throws IOException if the file cannot be read or holds no PEM certificate
     */
    public static SSLContext sslContext(Path pemFile) throws IOException {
        try (InputStream in = Files.newInputStream(pemFile)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("authority-" + n++, certificate);
            }
            if (n == 0) {
                throw new IOException(pemFile + " holds no PEM certificate");
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot trust " + pemFile + ": " + e.getMessage(), e);
        }
    }
}
