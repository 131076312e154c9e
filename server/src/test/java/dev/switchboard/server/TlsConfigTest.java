package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.netty.TlsContext;
import dev.switchboard.netty.TlsFiles;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Set;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OutputEncryptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code server.tls} in the configuration file, and the certificates {@code switchboard dev --tls} makes. */
class TlsConfigTest {
    private static final Set<String> NAMES = Set.of("localhost", "127.0.0.1", "::1");

    @TempDir
    Path dir;

    private Path config(String tls) throws Exception {
        Path file = dir.resolve("switchboard.yaml");
        Files.writeString(file, """
                server:
                  host: 127.0.0.1
                  port: 0
                  tls: %s
                apps:
                  - id: a
                    keys:
                      - { type: publishable, id: pk_live_tlsconfig00000000000001, channelPatterns: ["**"] }
                """.formatted(tls));
        return file;
    }

    @Test
    void relativeTlsPathsResolveBesideTheFile() throws Exception {
        new DevCertificates(dir.resolve("certs")).ensure(NAMES);
        SwitchboardConfig config = ConfigLoader.load(config("{ certificate: certs/cert.pem, privateKey: certs/key.pem }"));
        assertThat(config.listener().tls()).isEqualTo(new TlsFiles(dir.resolve("certs/cert.pem").toAbsolutePath(),
                dir.resolve("certs/key.pem").toAbsolutePath()));
    }

    @Test
    void aMissingFieldOrFileIsRefusedWithItsField() throws Exception {
        new DevCertificates(dir.resolve("certs")).ensure(NAMES);
        assertThatThrownBy(() -> ConfigLoader.load(config("{ certificate: certs/cert.pem }")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.tls.privateKey")
                .hasMessageContaining("is required");
        assertThatThrownBy(() -> ConfigLoader.load(config("{ certificate: certs/none.pem, privateKey: certs/key.pem }")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.tls.certificate")
                .hasMessageContaining("cannot read");
        assertThatThrownBy(() -> ConfigLoader.load(config("{ certificate: certs/cert.pem, privateKey: certs/key.pem, ciphers: x }")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.tls.ciphers");
    }

    @Test
    void aKeyOfAnotherCertificateIsRefused() throws Exception {
        new DevCertificates(dir.resolve("one")).ensure(NAMES);
        new DevCertificates(dir.resolve("two")).ensure(NAMES);
        assertThatThrownBy(() -> ConfigLoader.load(config("{ certificate: one/cert.pem, privateKey: two/key.pem }")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.tls")
                .hasMessageContaining("is not the private key of the first certificate");
    }

    @Test
    void aFileWithoutPemIsRefusedWithWhatItLacks() throws Exception {
        new DevCertificates(dir.resolve("certs")).ensure(NAMES);
        Files.writeString(dir.resolve("empty.pem"), "not pem\n");
        assertThatThrownBy(() -> ConfigLoader.load(config("{ certificate: empty.pem, privateKey: certs/key.pem }")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.tls: ")
                .hasMessageContaining("empty.pem").hasMessageMatching("(?s).*(holds no PEM certificate|is not a PEM certificate chain).*");
        assertThatThrownBy(() -> ConfigLoader.load(config("{ certificate: certs/cert.pem, privateKey: empty.pem }")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("holds no PEM private key");
    }

    @Test
    void anEncryptedKeyIsRefusedWithHowToDecryptIt() throws Exception {
        KeyPair pair = ecPair();
        OutputEncryptor encryptor = new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.PBE_SHA1_3DES)
                .setPassword("secret".toCharArray()).build();
        Path key = dir.resolve("encrypted.pem");
        Files.writeString(key, pem(new JcaPKCS8Generator(pair.getPrivate(), encryptor)));
        new DevCertificates(dir.resolve("certs")).ensure(NAMES);
        assertThatThrownBy(() -> TlsContext.check(new TlsFiles(dir.resolve("certs/cert.pem"), key)))
                .hasMessageContaining("encrypted private key").hasMessageContaining("openssl pkey");
    }

    @Test
    void theTraditionalEcKeyFormIsReadToo() throws Exception {
        TlsFiles files = new DevCertificates(dir.resolve("certs")).ensure(NAMES);
        assertThat(Files.readString(files.privateKey())).startsWith("-----BEGIN PRIVATE KEY-----");
        java.security.PrivateKey key;
        try (var parser = new org.bouncycastle.openssl.PEMParser(Files.newBufferedReader(files.privateKey()))) {
            key = new org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter().getPrivateKey(
                    org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(parser.readObject()));
        }
        // SEC1 "BEGIN EC PRIVATE KEY" with the curve and without the optional public key, as
        // `openssl ecparam -name prime256v1 -genkey -noout` writes it.
        var sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, ((java.security.interfaces.ECPrivateKey) key).getS(),
                new org.bouncycastle.asn1.x9.X962Parameters(org.bouncycastle.asn1.sec.SECObjectIdentifiers.secp256r1));
        String traditional = "-----BEGIN EC PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(sec1.getEncoded())
                + "\n-----END EC PRIVATE KEY-----\n";
        Path rewritten = dir.resolve("ec-key.pem");
        Files.writeString(rewritten, traditional);
        TlsContext.check(new TlsFiles(files.certificate(), rewritten));
    }

    @Test
    void devCertificatesCoverTheNamesAndAreKeptUntilANameIsNew() throws Exception {
        DevCertificates certificates = new DevCertificates(dir.resolve("tls"));
        TlsFiles files = certificates.ensure(NAMES);
        X509Certificate first = leaf(files.certificate());
        assertThat(names(first)).contains("localhost", "127.0.0.1");
        assertThat(first.getNotAfter().toInstant()).isAfter(java.time.Instant.now().plus(DevCertificates.RENEW_BEFORE));
        first.verify(leaf(certificates.authority()).getPublicKey());
        assertThat(List.of(Files.readString(files.certificate()).split("-----BEGIN CERTIFICATE-----"))).hasSize(3);

        String authority = Files.readString(certificates.authority());
        certificates.ensure(NAMES);
        assertThat(leaf(files.certificate()).getSerialNumber()).isEqualTo(first.getSerialNumber());

        certificates.ensure(Set.of("localhost", "127.0.0.1", "::1", "192.0.2.7"));
        X509Certificate renewed = leaf(files.certificate());
        assertThat(renewed.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
        assertThat(names(renewed)).contains("192.0.2.7");
        assertThat(Files.readString(certificates.authority())).isEqualTo(authority);
        assertThat(Files.getPosixFilePermissions(files.privateKey()).toString()).isEqualTo("[OWNER_READ, OWNER_WRITE]");
        TlsContext.check(files);
    }

    private static List<String> names(X509Certificate certificate) throws Exception {
        return certificate.getSubjectAlternativeNames().stream().map(entry -> String.valueOf(entry.get(1))).toList();
    }

    private static X509Certificate leaf(Path file) throws Exception {
        try (var in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static KeyPair ecPair() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static String pem(Object object) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }
}
