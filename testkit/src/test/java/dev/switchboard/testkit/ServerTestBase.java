package dev.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * One server per test class (override {@link #config()} for a dedicated one), probes closed after every test,
 * and the few helpers that keep tests reading like the spec. Names (channels, subs) are unique per call so tests
 * sharing a server never see each other.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ServerTestBase {
    static final Duration QUIET = Duration.ofMillis(300);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    protected TestServer server;
    private final List<AutoCloseable> opened = new CopyOnWriteArrayList<>();

    /** The configuration of this class's server. */
    protected String config() {
        return TestServer.defaultConfig("");
    }

    @BeforeAll
    void startServer() {
        server = TestServer.start(config());
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void closeEverythingOpened() throws Exception {
        List<AutoCloseable> all = new ArrayList<>(opened);
        Collections.reverse(all);
        opened.clear();
        for (AutoCloseable c : all) {
            c.close();
        }
    }

    protected <T extends AutoCloseable> T track(T closeable) {
        opened.add(closeable);
        return closeable;
    }

    // ------------------------------------------------------------------------------------------- connecting

    /** Opens {@code /v1?query} without waiting for anything. */
    protected WsProbe connect(String query) {
        return track(WsProbe.connect(server, query));
    }

    protected WsProbe connect(String query, Map<String, String> headers) {
        return track(WsProbe.connect(server.uri(query), headers));
    }

    /** A welcomed publishable-key session. */
    protected WsProbe pk(String keyId) {
        WsProbe probe = connect(TestServer.keyQuery(keyId));
        probe.awaitWelcome();
        return probe;
    }

    /** A welcomed session of {@link TestServer#PK_ALL}. */
    protected WsProbe pk() {
        return pk(TestServer.PK_ALL);
    }

    /** A welcomed JWT session for {@code sub} with all actions and no metadata. */
    protected WsProbe jwt(String sub) {
        return jwt(server.tokenFor(sub));
    }

    protected WsProbe jwt(TestServer.TokenBuilder token) {
        WsProbe probe = connect(token.query());
        probe.awaitWelcome();
        return probe;
    }

    protected RawWebSocket raw(String query) {
        return track(RawWebSocket.open(server.port(), "/v1?" + query, Map.of()));
    }

    /** A channel name no other test uses. */
    protected static String channel(String hint) {
        return hint + "-" + SEQUENCE.incrementAndGet() + "-" + System.nanoTime() % 100_000;
    }

    /** A JWT subject no other test uses. */
    protected static String sub(String hint) {
        return hint + "-" + SEQUENCE.incrementAndGet();
    }

    protected static String rid() {
        return "r" + SEQUENCE.incrementAndGet();
    }

    // ----------------------------------------------------------------------------------------------- frames

    /** Subscribes with a requestId; expects the ack and then the snapshot, which it returns. */
    protected static JsonNode subscribe(WsProbe probe, String channel) {
        return subscribe(probe, channel, false);
    }

    protected static JsonNode subscribe(WsProbe probe, String channel, boolean includeSenderMetadata) {
        String rid = rid();
        if (includeSenderMetadata) {
            probe.sendFrame("type", "subscribe", "channel", channel, "requestId", rid, "includeSenderMetadata", true);
        } else {
            probe.sendFrame("type", "subscribe", "channel", channel, "requestId", rid);
        }
        expectAck(probe, rid);
        JsonNode snapshot = probe.expectType("presence");
        assertThat(snapshot.path("channel").asString()).isEqualTo(channel);
        assertThat(snapshot.path("left").isArray() && snapshot.path("left").isEmpty()).as("snapshot left = []").isTrue();
        return snapshot;
    }

    /** Subscribes a session without the presence action: only the ack comes back. */
    protected static void subscribeWithoutPresence(WsProbe probe, String channel) {
        String rid = rid();
        probe.sendFrame("type", "subscribe", "channel", channel, "requestId", rid);
        expectAck(probe, rid);
    }

    protected static void expectAck(WsProbe probe, String requestId) {
        JsonNode ack = probe.expectType("ack");
        assertThat(ack.path("requestId").asString()).isEqualTo(requestId);
        assertThat(fields(ack)).containsExactlyInAnyOrder("type", "requestId");
    }

    /** The next frame is {@code error{code}} correlated with {@code requestId} (null = no requestId field). */
    protected static JsonNode expectError(WsProbe probe, String code, String requestId) {
        JsonNode error = probe.expectType("error");
        assertThat(error.path("code").asString()).as("error code of " + error).isEqualTo(code);
        if (requestId == null) {
            assertThat(error.has("requestId")).as("uncorrelated error has no requestId: " + error).isFalse();
        } else {
            assertThat(error.path("requestId").asString()).as("requestId of " + error).isEqualTo(requestId);
        }
        if (error.has("message")) {
            assertThat(error.path("message").isString()).as("message is a string").isTrue();
        }
        return error;
    }

    /** Proves the connection is open and every earlier reply was already delivered: ping, then pong next. */
    protected static void expectOpenWithNothingPending(WsProbe probe) {
        probe.sendFrame("type", "ping");
        probe.expectType("pong");
    }

    /** The next frame is a presence delta on {@code channel} with exactly these peer ids. */
    protected static JsonNode expectPresence(WsProbe probe, String channel, List<String> joined, List<String> left) {
        JsonNode frame = probe.expectType("presence");
        assertPresence(frame, channel, joined, left);
        return frame;
    }

    protected static void assertPresence(JsonNode frame, String channel, List<String> joined, List<String> left) {
        assertThat(fields(frame)).as("presence fields of " + frame)
                .containsExactlyInAnyOrder("type", "channel", "joined", "left");
        assertThat(frame.path("channel").asString()).isEqualTo(channel);
        assertThat(frame.path("joined").isArray()).as("joined is an array").isTrue();
        assertThat(frame.path("left").isArray()).as("left is an array").isTrue();
        assertThat(peerIds(frame.path("joined"))).as("joined of " + frame).containsExactlyInAnyOrderElementsOf(joined);
        assertThat(peerIds(frame.path("left"))).as("left of " + frame).containsExactlyInAnyOrderElementsOf(left);
    }

    protected static List<String> peerIds(JsonNode entries) {
        List<String> ids = new ArrayList<>();
        for (JsonNode entry : entries) {
            ids.add(entry.path("peerId").asString());
        }
        return ids;
    }

    /** The presence entry for {@code peerId} in {@code entries}. */
    protected static JsonNode entry(JsonNode entries, String peerId) {
        for (JsonNode e : entries) {
            if (peerId.equals(e.path("peerId").asString())) {
                return e;
            }
        }
        throw new AssertionError(peerId + " not in " + entries);
    }

    protected static Set<String> fields(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.properties().forEach(e -> names.add(e.getKey()));
        return names;
    }

    protected static String repeat(String s, int times) {
        return s.repeat(times);
    }

    protected static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Asserts a close event's reason obeys RFC 6455's 123-byte cap. */
    protected static void assertReasonFits(WsProbe.Event close) {
        assertThat(utf8Length(close.reason() == null ? "" : close.reason())).isLessThanOrEqualTo(123);
    }

    /** The probe is closed with {@code code} before any welcome (admission refusal, §2). */
    protected static void expectRefused(WsProbe probe, int code) {
        WsProbe.Event close = probe.expectClose(code);
        assertReasonFits(close);
    }
}
