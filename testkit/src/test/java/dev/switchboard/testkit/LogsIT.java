package dev.switchboard.testkit;

import static dev.switchboard.testkit.TestServer.*;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.switchboard.server.logging.LogfmtLayout;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * What the server logs (docs/operations.md "Logs"): refusals and forced closes with app, peer and code at INFO or
 * WARN, the REST access log, and, at every level down to DEBUG and in both formats, never a token, a key's secret
 * or an Authorization header.
 */
class LogsIT extends ServerTestBase {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
    private Logger root;
    private Level rootLevel;

    @BeforeEach
    void capture() {
        root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        rootLevel = root.getLevel();
        root.setLevel(Level.DEBUG);
        captured.start();
        root.addAppender(captured);
    }

    @AfterEach
    void release() {
        root.detachAppender(captured);
        root.setLevel(rootLevel);
    }

    @Test
    void noCredentialReachesTheLogAtAnyLevelInEitherFormat() throws Exception {
        String jwt = server.token(sub("alice"));
        WsProbe alice = connect(tokenQuery(jwt));
        alice.awaitWelcome();
        String minted = rest("POST", "/v1/tokens", "Bearer " + SK_ALL + ":" + SK_ALL_SECRET,
                "{\"peerId\":\"bob\"}").body();
        assertThat(minted).contains("\"token\"");
        rest("GET", "/v1/usage", "Bearer " + SK_ALL + ":" + SK_ALL_SECRET + "x", null);
        String forged = jwt.substring(0, jwt.length() - 4) + "AAAA";
        connect(tokenQuery(forged)).expectClose(4001);
        rest("DELETE", "/v1/peers/" + alice.peerId(), "Bearer " + SK_ALL + ":" + SK_ALL_SECRET, null);
        alice.expectClose(4020);
        awaitLine("connection_closed", "code=4020");

        String mintedToken = minted.replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");
        List<String> secrets = List.of(SK_ALL_SECRET, jwt, forged, mintedToken, jwt.substring(jwt.lastIndexOf('.') + 1));
        LogfmtLayout logfmt = new LogfmtLayout();
        LogstashEncoder json = new LogstashEncoder();
        json.start();
        assertThat(captured.list).isNotEmpty();
        for (ILoggingEvent event : List.copyOf(captured.list)) {
            String line = logfmt.doLayout(event);
            String jsonLine = new String(json.encode(event), StandardCharsets.UTF_8);
            for (String secret : secrets) {
                assertThat(line).as("logfmt line").doesNotContain(secret);
                assertThat(jsonLine).as("JSON line").doesNotContain(secret);
            }
            assertThat(line).doesNotContainIgnoringCase("authorization");
        }
    }

    @Test
    void refusalsForcedClosesAndRestRequestsAreLoggedAtInfoWithTheirFields() throws Exception {
        connect("key=pk_live_unknown00000000000000").expectClose(4001);
        WsProbe bob = pk();
        rest("DELETE", "/v1/peers/" + bob.peerId(), "Bearer " + SK_ALL + ":" + SK_ALL_SECRET, null);
        bob.expectClose(4020);
        ILoggingEvent closed = awaitLine("connection_closed", "peer=" + bob.peerId());
        assertThat(closed.getLevel()).isEqualTo(Level.INFO);
        assertThat(fields(closed)).contains("code=4020", "app=" + APP_A, "peer=" + bob.peerId(), "remote=127.0.0.1");

        ILoggingEvent refused = line("connection_refused");
        assertThat(refused.getLevel()).isEqualTo(Level.INFO);
        assertThat(fields(refused)).contains("code=4001", "remote=127.0.0.1");

        ILoggingEvent access = line("http_request");
        assertThat(access.getLoggerName()).isEqualTo("access");
        assertThat(fields(access)).contains("method=DELETE", "path=/v1/peers/" + bob.peerId(), "status=200");
    }

    @Test
    void aFloodingConnectionIsAWarning() {
        try (TestServer tight = TestServer.start(TestServer.defaultConfig("rateLimit: { burst: 5, perSecond: 0.01 }"))) {
            WsProbe flooder = track(WsProbe.welcomed(tight, keyQuery(PK_ALL)));
            for (int i = 0; i < 6; i++) {
                flooder.sendFrame("type", "unsubscribe", "channel", "x");
            }
            flooder.expectClose(4011);
            ILoggingEvent closed = awaitLine("connection_closed", "peer=" + flooder.peerId());
            assertThat(closed.getLevel()).isEqualTo(Level.WARN);
            assertThat(fields(closed)).contains("code=4011");
        }
    }

    /** The logfmt line of {@code event}, for field checks. */
    private static String fields(ILoggingEvent event) {
        return new LogfmtLayout().doLayout(event);
    }

    private ILoggingEvent line(String message) {
        return List.copyOf(captured.list).stream().filter(e -> e.getMessage().equals(message)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + message + " line in " + captured.list));
    }

    /**
     * The first {@code message} line whose fields contain {@code field}, waited for: lines are written on the
     * server's threads, not necessarily before the client has seen what caused them.
     */
    private ILoggingEvent awaitLine(String message, String field) {
        return org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> List.copyOf(captured.list).stream().filter(e -> e.getMessage().equals(message))
                        .filter(e -> fields(e).contains(field)).findFirst().orElse(null), java.util.Objects::nonNull);
    }

    private HttpResponse<String> rest(String method, String path, String authorization, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.origin().replace("ws://", "http://") + path))
                .header("Authorization", authorization)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
