package dev.switchboard.testkit;

import static dev.switchboard.testkit.TestServer.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * protocol.md §17, one test per checklist bullet, named after it. Each is a compact witness; the section suites
 * ({@code SubscribeIT}, {@code SizeLimitIT}, …) hold the exhaustive cases.
 */
class ConformanceChecklistIT extends ServerTestBase {

    @Override
    protected String config() {
        return TestServer.defaultConfig("keepalive: { interval: 300ms, grace: 300ms }\nrateLimit: { burst: 200, perSecond: 0.01 }");
    }

    @Test
    void checklist01_webSocketAtV1OnTheOriginRootWithPercentDecodedTokenAndKeyParameters() {
        connect("key=" + PK_ALL.replace("_", "%5F")).awaitWelcome();
        connect("token=" + URLEncoder.encode(server.token(sub("enc")), StandardCharsets.UTF_8).replace(".", "%2E"))
                .awaitWelcome();
        assertThat(RawWebSocket.http(server.port(), "GET /x/v1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n").status())
                .isEqualTo(404);
    }

    @Test
    void checklist02_admissionFailuresUpgradeThenClose4001_4002_4010_4012BeforeAnyWelcomeAndOnlyThrottlingIsHttp429() {
        expectRefused(connect(keyQuery("pk_live_nope")), 4001);
        expectRefused(connect(server.tokenFor(sub("x")).expiresAt(1).query()), 4002);
        expectRefused(connect(keyQuery(PK_SUSPENDED)), 4012);
        WsProbe first = pk(PK_CAPPED);
        expectRefused(connect(keyQuery(PK_CAPPED)), 4010);
        first.close();
        try (TestServer throttled = TestServer.start(TestServer.defaultConfig(
                "connectThrottle: { attempts: 1, window: 60s, exemptLoopback: false }"))) {
            WsProbe.welcomed(throttled, keyQuery(PK_ALL)).close();
            String upgrade = "GET /v1?" + keyQuery(PK_ALL) + " HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
            assertThat(RawWebSocket.http(throttled.port(), upgrade).status()).isEqualTo(429);
        }
    }

    @Test
    void checklist03_welcomeFirstWithin10sWithExpiresAtNullForPkServerTimeInSecondsAndMaxMessageSize65536() {
        WsProbe p = connect(keyQuery(PK_ALL));
        JsonNode welcome = p.expect(Duration.ofSeconds(10));
        assertThat(welcome.get("type").asString()).isEqualTo("welcome");
        assertThat(welcome.has("expiresAt") && welcome.get("expiresAt").isNull()).isTrue();
        assertThat(Math.abs(welcome.get("serverTime").asLong() - System.currentTimeMillis() / 1000)).isLessThan(5);
        assertThat(welcome.get("maxMessageSize").asInt()).isEqualTo(65536);
    }

    @Test
    void checklist04_pkSessionsGetANewUuidPeerIdPerConnectionAndJwtSessionsUseSub() {
        assertThat(pk().peerId()).isNotEqualTo(pk().peerId()).hasSize(36);
        String s = sub("subject");
        assertThat(jwt(s).peerId()).isEqualTo(s);
    }

    @Test
    void checklist05_everyClientFrameWithRequestIdGetsExactlyOneAckOrErrorEchoingIt() {
        WsProbe p = pk();
        p.sendFrame("type", "unsubscribe", "channel", "c", "requestId", "ok");
        p.sendFrame("type", "publish", "channel", "c", "requestId", "bad");
        expectAck(p, "ok");
        expectError(p, "missing_data", "bad");
        expectOpenWithNothingPending(p);
        p.expectNothing(QUIET);
    }

    @Test
    void checklist06_subscribeAcksThenSnapshotsAlwaysEvenEmptyEvenOnRepeatWithJoinedDeltaBeforeTheAck() {
        String c = channel("cl6");
        WsProbe a = pk();
        assertPresence(subscribe(a, c), c, List.of(), List.of());
        assertPresence(subscribe(a, c), c, List.of(), List.of());
        WsProbe b = pk();
        b.sendFrame("type", "subscribe", "channel", c, "requestId", "b");
        b.sendFrame("type", "send", "to", a.peerId(), "data", "after-join");
        expectPresence(a, c, List.of(b.peerId()), List.of());
        a.expectType("direct");
        expectAck(b, "b");
        b.expectType("presence");
    }

    @Test
    void checklist07_presenceJoinedAndLeftAreAlwaysArraysSelfNeverListedAndPerPeerIdRefcounted() {
        String c = channel("cl7");
        String alice = sub("alice");
        WsProbe watcher = pk();
        subscribe(watcher, c);
        WsProbe t1 = jwt(alice);
        WsProbe t2 = jwt(alice);
        subscribe(t1, c);
        expectPresence(watcher, c, List.of(alice), List.of());
        assertPresence(subscribe(t2, c), c, List.of(watcher.peerId()), List.of());
        t1.close();
        watcher.expectNothing(QUIET);
        t2.close();
        expectPresence(watcher, c, List.of(), List.of(alice));
    }

    @Test
    void checklist08_publishIsNotEchoedFromMetadataOnlyForOptInSubscribersAndAlwaysOnDirect() {
        String c = channel("cl8");
        WsProbe optIn = pk();
        WsProbe plain = pk();
        subscribe(optIn, c, true);
        subscribe(plain, c);
        expectPresence(optIn, c, List.of(plain.peerId()), List.of());
        WsProbe alice = jwt(server.tokenFor(sub("alice")).peerMetadata("{\"n\":1}"));
        alice.sendFrame("type", "publish", "channel", c, "data", 1, "requestId", "p");
        expectAck(alice, "p");
        alice.expectNothing(QUIET);
        assertThat(optIn.expectType("message").has("fromMetadata")).isTrue();
        assertThat(plain.expectType("message").has("fromMetadata")).isFalse();
        alice.sendFrame("type", "send", "to", plain.peerId(), "data", 2);
        assertThat(plain.expectType("direct").get("fromMetadata")).isEqualTo(WsProbe.parse("{\"n\":1}"));
    }

    @Test
    void checklist09_dataNullIsAcceptedAndForwardedAndAbsentDataIsMissingData() {
        String c = channel("cl9");
        WsProbe listener = pk();
        subscribe(listener, c);
        WsProbe p = pk();
        p.send("{\"type\":\"publish\",\"channel\":\"" + c + "\",\"data\":null,\"requestId\":\"n\"}");
        expectAck(p, "n");
        JsonNode message = listener.expectType("message");
        assertThat(message.has("data") && message.get("data").isNull()).isTrue();
        p.sendFrame("type", "publish", "channel", c, "requestId", "m");
        expectError(p, "missing_data", "m");
        p.sendFrame("type", "send", "to", listener.peerId(), "requestId", "m2");
        expectError(p, "missing_data", "m2");
    }

    @Test
    void checklist10_pingAnswersPongAndServerWebSocketPingsWithGraceDropDeadPeers() {
        WsProbe p = pk();
        p.sendFrame("type", "ping");
        p.expectType("pong");
        try (RawWebSocket dead = raw(keyQuery(PK_ALL))) {
            dead.readDataOrClose(Duration.ofSeconds(5));
            boolean sawPing = false;
            RawWebSocket.Frame f;
            do {
                f = dead.readFrame(Duration.ofSeconds(3));
                sawPing |= f.opcode() == RawWebSocket.PING;
            } while (f.opcode() != RawWebSocket.EOF);
            assertThat(sawPing).isTrue();
        }
    }

    @Test
    void checklist11_closeCodes4002AtExpMinus250ms_4020OnKick_1001AfterGoingAway_4011OnRateAbuse_1009OnOversize() {
        long exp = System.currentTimeMillis() / 1000 + 2;
        WsProbe expiring = connect(server.tokenFor(sub("e")).expiresAt(exp).query());
        expiring.awaitWelcome();
        String kicked = sub("k");
        WsProbe k = jwt(kicked);
        server.node().kick(APP_A, kicked);
        k.expectClose(4020);
        WsProbe abuser = pk();
        for (int i = 0; i < 201; i++) {
            abuser.sendFrame("type", "unsubscribe", "channel", "x");
        }
        abuser.expectClose(4011);
        WsProbe big = pk();
        big.send("{\"type\":\"publish\",\"channel\":\"c\",\"data\":\"" + "x".repeat(65_536) + "\"}");
        big.expectClose(1009);
        expiring.expectClose(4002, Duration.ofSeconds(4));
        assertThat(System.currentTimeMillis()).isLessThan(exp * 1000);
        try (TestServer doomed = TestServer.start()) {
            WsProbe p = track(WsProbe.welcomed(doomed, keyQuery(PK_ALL)));
            new Thread(doomed::close).start();
            p.expectType("going_away");
            p.expectClose(1001);
        }
    }

    @Test
    void checklist12_textFramesOnlyCloseReasonsWithin123BytesAndRequestHeadersOf32KiBAccepted() {
        WsProbe refused = connect(keyQuery("pk_live_nope"));
        assertReasonFits(refused.expectClose(4001));
        WsProbe p = connect(keyQuery(PK_ALL), Map.of("X-Big", "b".repeat(33 * 1024)));
        p.awaitWelcome();
        p.sendBinary(new byte[] {1});
        expectError(p, "malformed_message", null);
        assertThat(p.history()).allMatch(e -> e.kind() == WsProbe.Event.Kind.TEXT);
    }
}
