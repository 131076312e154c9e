package dev.switchboard.testkit;

import static dev.switchboard.testkit.TestServer.*;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Hostile input, black-box, each test named after what it tries (the cases AdmissionIT, FrameParsingIT and
 * SizeLimitIT already cover — alg none, HS512, tampered payloads, expiry, claim sizes — are not repeated). Every
 * attempt gets its documented code; afterwards no log line, at any level, holds a stack trace, a token or a secret.
 */
class SecurityIT extends ServerTestBase {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private Logger root;
    private Level rootLevel;

    @BeforeAll
    void captureLogs() {
        root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        rootLevel = root.getLevel();
        root.setLevel(Level.DEBUG); // the debug lines of refusals and closes are checked too
        logs.start();
        root.addAppender(logs);
    }

    @AfterAll
    void noLogLineLeaksATokenASecretOrAStackTrace() {
        root.detachAppender(logs);
        root.setLevel(rootLevel);
        List<ILoggingEvent> lines;
        synchronized (logs) { // appends (AppenderBase.doAppend) hold this lock; server threads may still log
            lines = new ArrayList<>(logs.list);
        }
        assertThat(lines).as("the attempts were logged at all").isNotEmpty();
        for (ILoggingEvent event : lines) {
            String line = event.getFormattedMessage();
            assertThat(event.getThrowableProxy()).as("stack trace in: " + line).isNull();
            assertThat(line).as("log line").doesNotContain(SK_ALL_SECRET).doesNotContain("sk_secret_")
                    .doesNotContain("eyJ").doesNotContain(PK_ALL);
        }
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    private static String claims(String sub) {
        return "{\"sub\":\"" + sub + "\",\"exp\":" + (now() + 600) + "}";
    }

    @Test
    void anRs256HeaderWithAForgedSignatureIs4001() {
        String token = b64("{\"alg\":\"RS256\",\"kid\":\"" + SK_ALL + "\"}") + "." + b64(claims("x")) + "."
                + b64("not-an-rsa-signature");
        expectRefused(connect(tokenQuery(token)), 4001);
    }

    @Test
    void aKidOfAnotherAppSignedWithThisAppsSecretIs4001() {
        String token = TestServer.signRaw(SK_ALL_SECRET, "{\"alg\":\"HS256\",\"kid\":\"" + SK_B + "\"}", claims("x"));
        expectRefused(connect(tokenQuery(token)), 4001);
    }

    @Test
    void anUnknownKidIs4001() {
        String token = TestServer.signRaw(SK_ALL_SECRET, "{\"alg\":\"HS256\",\"kid\":\"sk_id_nobody000000000000000\"}",
                claims("x"));
        expectRefused(connect(tokenQuery(token)), 4001);
    }

    @Test
    void aNumericSubIs4001() {
        String token = TestServer.signRaw(SK_ALL_SECRET, "{\"alg\":\"HS256\",\"kid\":\"" + SK_ALL + "\"}",
                "{\"sub\":12345,\"exp\":" + (now() + 600) + "}");
        expectRefused(connect(tokenQuery(token)), 4001);
    }

    @Test
    void aSubWithANewlineOrEscapeIs4001() {
        expectRefused(connect(tokenQuery(server.token("alice\nbob"))), 4001);
        expectRefused(connect(tokenQuery(server.token("alice\u001b[31m"))), 4001);
    }

    @Test
    void aPublishableKeyInTokenIs4001() {
        expectRefused(connect("token=" + PK_ALL), 4001);
    }

    @Test
    void aTruncatedTokenIs4001() {
        String token = server.token("alice");
        expectRefused(connect(tokenQuery(token.substring(0, token.length() / 2))), 4001);
    }

    @Test
    void aTruncatedUpgradeRequestIsClosedByTheIdleTimeoutOrAnsweredNeverWithAStackTrace() {
        RawWebSocket.HttpAnswer answer = RawWebSocket.http(server.port(),
                "GET /v1?key=" + PK_ALL + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Version: 13\r\n\r\n"); // no Sec-WebSocket-Key
        assertThat(answer.status()).isBetween(400, 499);
        assertThat(answer.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void aGarbageRequestLineIs400() {
        RawWebSocket.HttpAnswer answer = RawWebSocket.http(server.port(), "\u0001\u0002GARBAGE \u00ff\r\n\r\n");
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body()).doesNotContain("Exception");
    }

    @Test
    void anUnmaskedClientFrameIsAProtocolError1002() {
        RawWebSocket ws = raw(keyQuery(PK_ALL));
        assertThat(ws.readFrame(WAIT).text()).contains("\"welcome\"");
        ws.sendUnmasked(RawWebSocket.TEXT, "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8));
        RawWebSocket.Frame close = ws.readDataOrClose(WAIT);
        assertThat(close.opcode()).isEqualTo(RawWebSocket.CLOSE);
        assertThat(close.closeCode()).isEqualTo(1002);
    }

    @Test
    void aContinuationWithoutAStartIsAProtocolError1002() {
        RawWebSocket ws = raw(keyQuery(PK_ALL));
        assertThat(ws.readFrame(WAIT).text()).contains("\"welcome\"");
        ws.sendFrame(true, RawWebSocket.CONTINUATION, "{}".getBytes(StandardCharsets.UTF_8));
        RawWebSocket.Frame close = ws.readDataOrClose(WAIT);
        assertThat(close.opcode()).isEqualTo(RawWebSocket.CLOSE);
        assertThat(close.closeCode()).isEqualTo(1002);
    }

    @Test
    void jsonNestedTenThousandDeepIsMalformedAndTheConnectionStaysOpen() {
        WsProbe p = pk();
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        p.send("{\"type\":\"publish\",\"channel\":\"c\",\"data\":" + deep + ",\"requestId\":\"deep\"}");
        WsProbe.Event event = p.nextEvent(WAIT);
        assertThat(event.text()).as("an error frame, not a crash").contains("\"type\":\"error\"");
        expectOpenWithNothingPending(p);
    }

    @Test
    void repeatedKeysAreMalformedOrTakeOneValueButNeverCrash() {
        WsProbe p = pk();
        String c = channel("dup");
        p.send("{\"type\":\"subscribe\",\"type\":\"publish\",\"channel\":\"" + c + "\",\"requestId\":\"dup\"}");
        WsProbe.Event event = p.nextEvent(WAIT);
        assertThat(event.text()).contains("\"requestId\":\"dup\"");
        expectOpenWithNothingPending(p);
    }

    @Test
    void aBinaryFloodIsRateLimitedLikeText() {
        RawWebSocket ws = raw(keyQuery(PK_ALL));
        assertThat(ws.readFrame(WAIT).text()).contains("\"welcome\"");
        // Well past the burst of 200 even if the bucket refills (100/s) while a busy machine sends them.
        for (int i = 0; i < 600; i++) {
            ws.sendFrame(true, RawWebSocket.BINARY, new byte[] {1, 2, 3});
        }
        RawWebSocket.Frame frame;
        do {
            frame = ws.readFrame(WAIT);
        } while (frame.opcode() == RawWebSocket.TEXT);
        assertThat(frame.opcode()).isEqualTo(RawWebSocket.CLOSE);
        assertThat(frame.closeCode()).isEqualTo(4011);
    }

    @Test
    void aHugeHeaderIsRefusedBeforeTheUpgrade() {
        RawWebSocket.HttpAnswer answer = RawWebSocket.http(server.port(), "GET /v1?key=" + PK_ALL + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\nX-Pad: " + "a".repeat(70_000) + "\r\n\r\n");
        assertThat(answer.status()).isBetween(400, 499);
    }

    @Test
    void neitherCredentialNorAnyQueryIs4001() {
        expectRefused(track(WsProbe.connect(server.uri(""), Map.of())), 4001);
    }
}
