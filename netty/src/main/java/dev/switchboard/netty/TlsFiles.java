package dev.switchboard.netty;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where native TLS finds its credentials: a PEM file with the server's certificate followed by its chain (the
 * "full chain" a CA hands out), and a PEM file with the certificate's private key (PKCS#8, or the traditional RSA
 * and EC forms; not encrypted).
 */
public record TlsFiles(Path certificate, Path privateKey) {
    public TlsFiles {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(privateKey, "privateKey");
    }
}
