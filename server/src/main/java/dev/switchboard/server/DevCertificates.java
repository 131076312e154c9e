package dev.switchboard.server;

import dev.switchboard.netty.TlsFiles;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The certificates of {@code switchboard dev --tls}, in the state directory's {@code tls/} folder: a local
 * certificate authority made once ({@code ca.pem}, the file a developer trusts on each device, and its key), and
 * a server certificate signed by it for {@code localhost} and every address of this machine (its LAN addresses
 * included, so phones on the same Wi-Fi can connect). The server certificate is made anew when it is missing,
 * expires within {@link #RENEW_BEFORE}, or does not name an address the machine has now; the authority stays, so
 * a device trusts it once.
 */
public final class DevCertificates {
    static final Duration CA_VALIDITY = Duration.ofDays(3650);
    static final Duration SERVER_VALIDITY = Duration.ofDays(365);
    static final Duration RENEW_BEFORE = Duration.ofDays(30);
    private static final String SIGNATURE = "SHA256withECDSA";

    private final Path dir;

    public DevCertificates(Path dir) {
        this.dir = dir;
    }

    public Path authority() {
        return dir.resolve("ca.pem");
    }

    private Path authorityKey() {
        return dir.resolve("ca-key.pem");
    }

    public TlsFiles serverFiles() {
        return new TlsFiles(dir.resolve("cert.pem"), dir.resolve("key.pem"));
    }

    /**
     * Makes what is missing or stale and returns the server's files.
     *
     * @param names the DNS names and IP literals the server certificate must cover
     */
    public TlsFiles ensure(Set<String> names) throws IOException {
        Files.createDirectories(dir);
        try {
            if (!Files.exists(authority()) || !Files.exists(authorityKey())) {
                makeAuthority();
            }
            TlsFiles files = serverFiles();
            if (!current(files, names)) {
                makeServer(names);
            }
            return files;
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot make the dev certificates in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** {@code localhost}, the loopback addresses and every address of this machine's interfaces that are up. */
    public static Set<String> machineNames() {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        try {
            for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
                if (!nic.isUp()) {
                    continue;
                }
                for (InetAddress address : nic.inetAddresses().toList()) {
                    if (address instanceof Inet6Address v6 && (v6.isLinkLocalAddress() || v6.getScopeId() != 0)) {
                        continue; // a zone-scoped address cannot be named in a URL a browser accepts
                    }
                    names.add(address.getHostAddress());
                }
            }
        } catch (SocketException e) {
            // loopback names only
        }
        return names;
    }

    /** The addresses of {@link #machineNames()} that are neither loopback nor IPv6: what a phone would type. */
    static List<String> lanAddresses() {
        List<String> lan = new ArrayList<>();
        for (String name : machineNames()) {
            if (name.matches("\\d+\\.\\d+\\.\\d+\\.\\d+") && !name.startsWith("127.")) {
                lan.add(name);
            }
        }
        return lan;
    }

    private boolean current(TlsFiles files, Set<String> names) throws IOException, GeneralSecurityException {
        if (!Files.exists(files.certificate()) || !Files.exists(files.privateKey())) {
            return false;
        }
        X509Certificate certificate = readCertificate(files.certificate());
        if (certificate.getNotAfter().toInstant().isBefore(Instant.now().plus(RENEW_BEFORE))) {
            return false;
        }
        Set<String> covered = new LinkedHashSet<>();
        Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
        if (alternatives != null) {
            for (List<?> entry : alternatives) {
                covered.add(normalise(String.valueOf(entry.get(1))));
            }
        }
        return names.stream().map(DevCertificates::normalise).allMatch(covered::contains)
                && certificate.getIssuerX500Principal().equals(readCertificate(authority()).getSubjectX500Principal());
    }

    private static String normalise(String name) {
        try {
            return name.contains(":") ? InetAddress.getByName(name).getHostAddress() : name;
        } catch (IOException e) {
            return name;
        }
    }

    private void makeAuthority() throws GeneralSecurityException, OperatorCreationException, IOException {
        KeyPair pair = newKeyPair();
        X500Name subject = new X500Name("CN=Switchboard dev CA (" + hostName() + ")");
        Instant now = Instant.now();
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(CA_VALIDITY)), subject, pair.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(pair.getPublic()));
        X509Certificate certificate = sign(builder, pair.getPrivate());
        writePrivate(authorityKey(), pem(pair.getPrivate()));
        writePublic(authority(), pem(certificate));
    }

    private void makeServer(Set<String> names) throws GeneralSecurityException, OperatorCreationException, IOException {
        X509Certificate authority = readCertificate(authority());
        PrivateKey authorityKey = readKey(authorityKey());
        KeyPair pair = newKeyPair();
        List<GeneralName> alternatives = new ArrayList<>();
        for (String name : names) {
            boolean ip = name.contains(":") || name.matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
            alternatives.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, name));
        }
        Instant now = Instant.now();
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(authority, serial(),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(SERVER_VALIDITY)),
                new X500Name("CN=Switchboard dev server (" + hostName() + ")"), pair.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                .addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(alternatives.toArray(GeneralName[]::new)))
                .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(pair.getPublic()))
                .addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(authority));
        X509Certificate certificate = sign(builder, authorityKey);
        TlsFiles files = serverFiles();
        writePrivate(files.privateKey(), pem(pair.getPrivate()));
        writePublic(files.certificate(), pem(certificate) + pem(authority));
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(key)));
    }

    private static BigInteger serial() {
        return new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    private static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            // A key as PKCS#8 ("BEGIN PRIVATE KEY"), the form every TLS stack reads.
            writer.writeObject(object instanceof PrivateKey key ? new JcaPKCS8Generator(key, null) : object);
        }
        return out.toString();
    }

    private static X509Certificate readCertificate(Path file) throws IOException, GeneralSecurityException {
        try (var in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static PrivateKey readKey(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            return new JcaPEMKeyConverter().getPrivateKey(PrivateKeyInfo.getInstance(parser.readObject()));
        }
    }

    private static void writePrivate(Path file, String text) throws IOException {
        write(file, text, "rw-------");
    }

    private static void writePublic(Path file, String text) throws IOException {
        write(file, text, "rw-r--r--");
    }

    /** Replaces {@code file} in one step, so a running server's renewal check never reads half a file. */
    private static void write(Path file, String text, String permissions) throws IOException {
        Path temporary = Files.createTempFile(file.getParent(), ".tls", ".tmp");
        try {
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString(permissions));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
        Files.writeString(temporary, text, StandardCharsets.US_ASCII);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
