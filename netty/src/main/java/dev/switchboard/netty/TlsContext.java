package dev.switchboard.netty;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of native TLS: the current certificate and key as a Netty {@link SslContext}, TLS 1.3 and 1.2
 * only, on BoringSSL ({@code netty-tcnative-boringssl-static}) where its native library loads and on the JDK's
 * provider otherwise; the choice is logged once.
 *
 * <p>The credentials can change under a running server: {@link #reload} (with the configuration) and
 * {@link #reloadIfChanged} (on a timer, for a renewal that rewrote the files) swap in a new context for new
 * connections. A connection keeps the engine it was handshaked with, so nothing open is dropped. Files that do
 * not load (a renewal half written, a key that does not belong to the certificate) keep the old context, and the
 * reason is logged once per state of the files.
 */
public final class TlsContext {
    private static final Logger log = LoggerFactory.getLogger(TlsContext.class);
    static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /** How often the files are checked for a renewal. */
    static final long WATCH_SECONDS = 5;
    private static final long HANDSHAKE_TIMEOUT_SECONDS = 10;

    private final SslProvider provider;
    private volatile Loaded current;
    /** The files' state whose load failed last, so a broken renewal is reported once, not every few seconds. */
    private Stamp failed;

    private record Stamp(TlsFiles files, long certificateModified, long certificateSize, long keyModified,
                         long keySize) {
        static Stamp of(TlsFiles files) throws IOException {
            return new Stamp(files, Files.getLastModifiedTime(files.certificate()).toMillis(),
                    Files.size(files.certificate()), Files.getLastModifiedTime(files.privateKey()).toMillis(),
                    Files.size(files.privateKey()));
        }
    }

    private record Loaded(SslContext context, Stamp stamp, byte[] certificate, byte[] key, X509Certificate leaf) {
    }

    private TlsContext(SslProvider provider, Loaded loaded) {
        this.provider = provider;
        this.current = loaded;
    }

    /**
     * Loads {@code files} and logs the provider and the certificate in use.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    public static TlsContext load(TlsFiles files) {
        SslProvider provider = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        TlsContext tls = new TlsContext(provider, build(files, provider));
        if (provider == SslProvider.OPENSSL) {
            log.atInfo().setMessage("tls").addKeyValue("provider", "boringssl")
                    .addKeyValue("version", OpenSsl.versionString()).addKeyValue("protocols", String.join(",", PROTOCOLS))
                    .log();
        } else {
            log.atInfo().setMessage("tls").addKeyValue("provider", "jdk")
                    .addKeyValue("reason", OpenSsl.unavailabilityCause()).addKeyValue("protocols", String.join(",", PROTOCOLS))
                    .log();
        }
        tls.logCertificate("tls_certificate");
        return tls;
    }

    /**
     * Checks that {@code files} hold a certificate chain and its private key, as {@link #load} would read them.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    public static void check(TlsFiles files) {
        build(files, SslProvider.JDK);
    }

    /** {@code boringssl} or {@code jdk}. */
    public String provider() {
        return provider == SslProvider.OPENSSL ? "boringssl" : "jdk";
    }

    /** The certificate new connections are given. */
    public X509Certificate certificate() {
        return current.leaf();
    }

    /** A handler for one new connection, with the current certificate. */
    SslHandler newHandler(ByteBufAllocator allocator) {
        SslHandler handler = current.context().newHandler(allocator);
        handler.setHandshakeTimeout(HANDSHAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return handler;
    }

    /**
     * Loads {@code files} (the configuration's, possibly other paths than before) if they differ from what is in
     * use; new connections get them, open ones are untouched.
     *
     * @return whether a new certificate or key is now in use
     * @throws IllegalArgumentException naming the file and what is wrong with it; the old context stays
     */
    public synchronized boolean reload(TlsFiles files) {
        Loaded old = current;
        Loaded next = build(files, provider);
        if (Arrays.equals(next.certificate(), old.certificate()) && Arrays.equals(next.key(), old.key())) {
            current = new Loaded(old.context(), next.stamp(), old.certificate(), old.key(), old.leaf());
            return false;
        }
        current = next;
        failed = null;
        logCertificate("tls_reloaded");
        return true;
    }

    /**
     * Reloads the files in use if they changed on disk since they were read (a renewal). A failure is logged
     * once and the old context stays.
     */
    public synchronized void reloadIfChanged() {
        Stamp stamp;
        TlsFiles files = current.stamp().files();
        try {
            stamp = Stamp.of(files);
        } catch (IOException e) {
            return; // a renewal replacing the file: look again next time
        }
        if (stamp.equals(current.stamp()) || stamp.equals(failed)) {
            return;
        }
        try {
            reload(files);
        } catch (IllegalArgumentException e) {
            failed = stamp;
            log.atWarn().setMessage("tls_reload_failed").addKeyValue("reason", e.getMessage())
                    .addKeyValue("effect", "the certificate in use stays").log();
        }
    }

    private void logCertificate(String event) {
        X509Certificate leaf = current.leaf();
        log.atInfo().setMessage(event).addKeyValue("subject", leaf.getSubjectX500Principal().getName())
                .addKeyValue("not_after", leaf.getNotAfter().toInstant())
                .addKeyValue("file", current.stamp().files().certificate()).log();
        if (leaf.getNotAfter().toInstant().isBefore(Instant.now())) {
            log.atWarn().setMessage("tls_certificate_expired").addKeyValue("not_after", leaf.getNotAfter().toInstant())
                    .addKeyValue("effect", "clients will refuse it").log();
        }
    }

    private static Loaded build(TlsFiles files, SslProvider provider) {
        Stamp stamp;
        byte[] certificateBytes;
        byte[] keyBytes;
        try {
            stamp = Stamp.of(files);
            certificateBytes = Files.readAllBytes(files.certificate());
            keyBytes = Files.readAllBytes(files.privateKey());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + e.getMessage());
        }
        List<X509Certificate> chain = certificates(files.certificate(), certificateBytes);
        PrivateKey key = privateKey(files.privateKey(), keyBytes);
        if (!belongTogether(key, chain.getFirst().getPublicKey())) {
            throw new IllegalArgumentException(files.privateKey() + " is not the private key of the first certificate in "
                    + files.certificate());
        }
        try {
            SslContext context = SslContextBuilder.forServer(key, chain)
                    .sslProvider(provider)
                    .protocols(PROTOCOLS)
                    .build();
            return new Loaded(context, stamp, certificateBytes, keyBytes, chain.getFirst());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot use " + files.certificate() + " with " + files.privateKey()
                    + ": " + e.getMessage());
        }
    }

    private static List<X509Certificate> certificates(Path file, byte[] pem) {
        try {
            List<X509Certificate> chain = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem)).stream()
                    .map(X509Certificate.class::cast)
                    .toList();
            if (chain.isEmpty()) {
                throw new IllegalArgumentException(file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
            }
            return chain;
        } catch (CertificateException e) {
            throw new IllegalArgumentException(file + " is not a PEM certificate chain: " + e.getMessage());
        }
    }

    private static PrivateKey privateKey(Path file, byte[] pem) {
        try (Reader reader = new InputStreamReader(new ByteArrayInputStream(pem), StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object item = parser.readObject(); item != null; item = parser.readObject()) {
                switch (item) {
                    case PrivateKeyInfo info -> {
                        return converter.getPrivateKey(info);
                    }
                    case PEMKeyPair pair -> {
                        // the private part alone: an EC key may omit its optional public key (RFC 5915)
                        return converter.getPrivateKey(pair.getPrivateKeyInfo());
                    }
                    case PEMEncryptedKeyPair ignored -> throw encrypted(file);
                    case PKCS8EncryptedPrivateKeyInfo ignored -> throw encrypted(file);
                    default -> {
                        // parameters (EC PARAMETERS) or certificates before the key
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " is not a PEM private key: " + e.getMessage());
        }
        throw new IllegalArgumentException(file + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
    }

    private static IllegalArgumentException encrypted(Path file) {
        return new IllegalArgumentException(file + " holds an encrypted private key; the server needs it unencrypted"
                + " (openssl pkey -in KEY -out KEY.plain), readable by the server only");
    }

    /** Whether {@code key} signs what {@code publicKey} verifies. */
    private static boolean belongTogether(PrivateKey key, PublicKey publicKey) {
        if (!key.getAlgorithm().equals(publicKey.getAlgorithm())) {
            return false;
        }
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return true; // nothing to test it with here; the handshake will tell
        }
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
