package dev.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.server.DevCertificates;
import dev.switchboard.server.SwitchboardServer.ReloadResult;
import dev.switchboard.server.TrustedAuthority;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Native TLS ({@code server.tls}): WebSocket sessions and the REST plane on one {@code wss://}/{@code https://}
 * port with TLS 1.3 and 1.2, a clear refusal for plain HTTP, and a renewed certificate (reload or a rewritten
 * file) served to new connections while open sessions carry on. The certificates are the ones
 * {@code switchboard dev --tls} makes, so a client trusting the dev CA trusts the server.
 */
class TlsIT extends ServerTestBase {
    private static final Set<String> NAMES = Set.of("localhost", "127.0.0.1", "::1");

    @TempDir
    Path dir;
    private Path file;
    private DevCertificates certificates;
    private SSLContext trusting;
    private HttpClient client;

    @Override
    @BeforeAll
    void startServer() {
        // one server per test, from a file in the test's directory
    }

    @BeforeEach
    void startWithTls() throws Exception {
        certificates = new DevCertificates(dir.resolve("tls"));
        certificates.ensure(NAMES);
        file = dir.resolve("switchboard.yaml");
        Files.writeString(file, TestServer.defaultConfig(
                "tls: { certificate: tls/cert.pem, privateKey: tls/key.pem }"), StandardCharsets.UTF_8);
        server = TestServer.start(file);
        trusting = TrustedAuthority.sslContext(certificates.authority());
        client = HttpClient.newBuilder().sslContext(trusting).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop() throws Exception {
        closeEverythingOpened(); // before the client, whose close() waits for its open WebSockets
        client.shutdownNow();
        server.close();
    }

    private WsProbe wss(String query) {
        return track(WsProbe.connect(client, server.uri(query), Map.of()));
    }

    /** A welcomed publishable-key session over wss://. */
    private WsProbe welcomedSession() {
        WsProbe probe = wss(TestServer.keyQuery(TestServer.PK_ALL));
        probe.awaitWelcome();
        return probe;
    }

    @Test
    void aSessionOverWssIsWelcomedAndCarriesMessages() {
        assertThat(server.origin()).startsWith("wss://127.0.0.1:");
        WsProbe alice = welcomedSession();
        WsProbe bob = welcomedSession();
        String room = channel("tls");
        subscribe(alice, room);
        bob.sendFrame("type", "publish", "channel", room, "data", "over tls", "requestId", "p1");
        expectAck(bob, "p1");
        assertThat(alice.expectType("message").path("data").asString()).isEqualTo("over tls");
    }

    @Test
    void theRestPlaneIsOnTheSamePortOverHttps() throws Exception {
        HttpResponse<String> usage = client.send(HttpRequest.newBuilder(URI.create(server.server().httpOrigin() + "/v1/usage"))
                .header("Authorization", "Bearer " + TestServer.SK_ALL + ":" + TestServer.SK_ALL_SECRET).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(usage.statusCode()).isEqualTo(200);
        assertThat(usage.body()).contains("\"appId\":\"app_a\"");
    }

    @Test
    void bothTls13AndTls12HandshakeAndNothingOlderIsOffered() throws Exception {
        assertThat(handshake("TLSv1.3").getSession().getProtocol()).isEqualTo("TLSv1.3");
        assertThat(handshake("TLSv1.2").getSession().getProtocol()).isEqualTo("TLSv1.2");
    }

    @Test
    void plainHttpToTheTlsPortIsRefusedWithAClearMessageNotAHang() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /v1?key=x HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8); // the server closes after its answer
            assertThat(answer).startsWith("HTTP/1.1 400 ")
                    .contains("this port speaks TLS: use https:// for REST and wss:// for WebSocket");
        }
        // And the port still serves TLS afterwards.
        welcomedSession();
    }

    @Test
    void aReloadServesTheRenewedCertificateToNewConnectionsAndKeepsOpenSessions() throws Exception {
        WsProbe open = welcomedSession();
        BigInteger before = servedSerial();

        renew();
        ReloadResult result = server.server().reload();
        assertThat(result.applied()).as(result.message()).isTrue();
        assertThat(result.message()).contains("tls=reloaded");

        assertThat(servedSerial()).isNotEqualTo(before).isEqualTo(fileSerial());
        expectOpenWithNothingPending(open);
        welcomedSession();
        assertThat(server.server().reload().message()).contains("tls=unchanged");
    }

    @Test
    void aRenewalThatRewritesTheFilesIsPickedUpWithoutAReload() throws Exception {
        WsProbe open = welcomedSession();
        BigInteger before = servedSerial();
        renew();
        BigInteger renewed = fileSerial();
        assertThat(renewed).isNotEqualTo(before);
        // The server looks at the files every few seconds; poll for the new certificate over new handshakes.
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
                .until(() -> servedSerial().equals(renewed));
        expectOpenWithNothingPending(open);
    }

    @Test
    void aRenewalWithAMismatchedKeyKeepsTheCertificateInUse() throws Exception {
        BigInteger before = servedSerial();
        DevCertificates other = new DevCertificates(dir.resolve("other"));
        other.ensure(NAMES);
        Files.copy(other.serverFiles().privateKey(), dir.resolve("tls/key.pem"), StandardCopyOption.REPLACE_EXISTING);
        ReloadResult result = server.server().reload();
        assertThat(result.applied()).isFalse();
        assertThat(result.message()).contains("server.tls").contains("is not the private key");
        assertThat(servedSerial()).isEqualTo(before);
        welcomedSession();
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateIsRefusedTheHandshake() {
        HttpClient untrusting = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> untrusting.send(HttpRequest.newBuilder(
                        URI.create(server.server().httpOrigin() + "/v1/usage")).build(), HttpResponse.BodyHandlers.ofString()))
                .hasStackTraceContaining("PKIX");
        untrusting.shutdownNow();
    }

    /** A new server certificate (same CA) written over the old files, as a renewal does. */
    private void renew() throws Exception {
        DevCertificates next = new DevCertificates(dir.resolve("next"));
        Files.createDirectories(dir.resolve("next"));
        Files.copy(certificates.authority(), dir.resolve("next/ca.pem"));
        Files.copy(dir.resolve("tls/ca-key.pem"), dir.resolve("next/ca-key.pem"));
        next.ensure(NAMES);
        Files.copy(next.serverFiles().privateKey(), dir.resolve("tls/key.pem"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(next.serverFiles().certificate(), dir.resolve("tls/cert.pem"), StandardCopyOption.REPLACE_EXISTING);
    }

    private BigInteger fileSerial() throws Exception {
        try (InputStream in = Files.newInputStream(dir.resolve("tls/cert.pem"))) {
            return ((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in)).getSerialNumber();
        }
    }

    /** The serial of the certificate a new handshake is given. */
    private BigInteger servedSerial() throws Exception {
        try (SSLSocket socket = handshake("TLSv1.3")) {
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    private SSLSocket handshake(String protocol) throws Exception {
        SSLSocket socket = (SSLSocket) trusting.getSocketFactory().createSocket("127.0.0.1", server.port());
        socket.setSoTimeout(5_000);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setProtocols(new String[] {protocol});
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }
}
