package dev.switchboard.server.rest;

import static dev.switchboard.server.rest.RestHarness.AUTH;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** rest-api.md §1.2–§1.3: the 32 KiB body cap, after route and authentication, before validation. */
class RestBodyLimitTest {
    private static RestHarness rest;

    @BeforeAll
    static void start() throws Exception {
        rest = RestHarness.start();
    }

    @AfterAll
    static void stop() {
        rest.close();
    }

    private static String publishBody(int totalBytes) {
        String head = "{\"data\":\"";
        String tail = "\"}";
        return head + "x".repeat(totalBytes - head.length() - tail.length()) + tail;
    }

    @Test
    void bodyOfExactly32KiBIsAccepted() throws Exception {
        RestHarness.Answer answer = rest.post("/v1/channels/room-1/publish", publishBody(32_768));
        assertThat(answer.status()).isEqualTo(200);
    }

    @Test
    void bodyOverTheCapAnswers413InvalidRequest() throws Exception {
        RestHarness.Answer answer = rest.post("/v1/channels/room-1/publish", publishBody(32_769));
        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.error()).isEqualTo("invalid_request");
        assertThat(answer.json().path("message").isString()).isTrue();
    }

    @Test
    void oversizeBodyWithBadCredentialAnswers401First() throws Exception {
        assertThat(rest.call("POST", "/v1/channels/room-1/publish", "Bearer nope", publishBody(40_000)).status())
                .isEqualTo(401);
    }

    @Test
    void oversizeBodyOnUnknownPathAnswers404First() throws Exception {
        assertThat(rest.call("POST", "/v1/unknown", AUTH, publishBody(40_000)).status()).isEqualTo(404);
    }

    @Test
    void oversizeMalformedBodyAnswers413BeforeValidation() throws Exception {
        assertThat(rest.post("/v1/tokens", "{".repeat(40_000)).status()).isEqualTo(413);
    }

    @Test
    void declaredContentLengthOverTheCapIsAnsweredWithoutSendingTheBodyAndTheConnectionCloses() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", rest.server.port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/channels/room-1/publish HTTP/1.1\r\nHost: x\r\nAuthorization: " + AUTH
                    + "\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = readUntilClosed(socket.getInputStream());
            assertThat(response).startsWith("HTTP/1.1 413");
            assertThat(response.toLowerCase()).contains("connection: close");
            assertThat(response).contains("\"error\":\"invalid_request\"");
        }
    }

    @Test
    void chunkedBodyIsCountedAsItStreamsAndRefusedPastTheCap() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", rest.server.port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/channels/room-1/publish HTTP/1.1\r\nHost: x\r\nAuthorization: " + AUTH
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = ("2000\r\n" + "x".repeat(0x2000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            // 5 chunks of 8 KiB = 40 KiB, never terminated: the server must answer without the end of the body
            for (int i = 0; i < 5; i++) {
                out.write(chunk);
            }
            out.flush();
            String response = readUntilClosed(socket.getInputStream());
            assertThat(response).startsWith("HTTP/1.1 413");
            assertThat(response).contains("\"error\":\"invalid_request\"");
        }
    }

    @Test
    void expectContinueIsHonouredForAnAcceptableBody() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", rest.server.port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            String body = "{\"data\":1}";
            out.write(("POST /v1/channels/room-1/publish HTTP/1.1\r\nHost: x\r\nAuthorization: " + AUTH
                    + "\r\nExpect: 100-continue\r\nContent-Length: " + body.length() + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[256];
            int n = in.read(buffer);
            assertThat(new String(buffer, 0, n, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 100");
            out.write(body.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            n = in.read(buffer);
            assertThat(new String(buffer, 0, n, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void keepAliveConnectionServesSeveralRequestsInARow() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(rest.post("/v1/channels/room-1/publish", "{\"data\":" + i + "}").status()).isEqualTo(200);
            assertThat(rest.call("GET", "/v1/usage", "Bearer bad", null).status()).isEqualTo(401);
        }
    }

    private static String readUntilClosed(InputStream in) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                bytes.write(buffer, 0, n);
            }
        } catch (SocketException e) {
            // a reset after the response was read is fine for this check
        }
        return bytes.toString(StandardCharsets.US_ASCII);
    }
}
