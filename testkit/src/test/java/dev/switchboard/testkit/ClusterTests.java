package dev.switchboard.testkit;

import static dev.switchboard.testkit.ServerTestBase.channel;
import static dev.switchboard.testkit.ServerTestBase.expectAck;
import static dev.switchboard.testkit.ServerTestBase.expectError;
import static dev.switchboard.testkit.ServerTestBase.expectOpenWithNothingPending;
import static dev.switchboard.testkit.ServerTestBase.expectPresence;
import static dev.switchboard.testkit.ServerTestBase.peerIds;
import static dev.switchboard.testkit.ServerTestBase.rid;
import static dev.switchboard.testkit.ServerTestBase.sub;
import static dev.switchboard.testkit.ServerTestBase.subscribe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.core.auth.KeyConfig;
import dev.switchboard.core.auth.TokenMinter;
import dev.switchboard.core.auth.TokenRequest;
import dev.switchboard.protocol.RawJson;
import dev.switchboard.server.ConfigLoader;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Three nodes as processes on a real Redis behave as one server (docs/scale-out.md): publish, presence, direct
 * sends, kicks, REST and limits across nodes; then a node killed with SIGKILL, last but for what a subclass adds
 * after it ({@code @Order} above 8). A subclass starts the Redis: {@link ClusterIT} one, {@link RedisClusterIT} a
 * Redis Cluster.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ClusterTests {
    /** The test server's configuration, its app A keeping history for {@code hist-*} channels. */
    private static final String CONFIG = TestServer.defaultConfig("").replace("  - id: " + TestServer.APP_B + "\n",
            "    channels:\n      - { pattern: \"hist-*\", history: { size: 100, ttl: 5m } }\n  - id: "
                    + TestServer.APP_B + "\n");
    private static final KeyConfig SIGNER;
    static final String SECRET = TestServer.SK_ALL + ":" + TestServer.SK_ALL_SECRET;

    static {
        try {
            SIGNER = ConfigLoader.parse("cluster", CONFIG).apps().stream().flatMap(a -> a.keys().stream())
                    .filter(k -> k.id().equals(TestServer.SK_ALL)).findFirst().orElseThrow();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @TempDir
    static Path dir;
    ClusterNode a;
    ClusterNode b;
    ClusterNode c;
    private final List<WsProbe> probes = new ArrayList<>();

    /** Starts the Redis the nodes join; returns its URI. */
    abstract String startRedis();

    /** Whether {@link #startRedis} started a Redis Cluster. */
    abstract boolean redisCluster();

    abstract void stopRedis();

    @BeforeAll
    void startCluster() {
        Assumptions.assumeTrue(RedisServer.available() || System.getenv("CI") != null,
                "redis-server is not installed");
        String uri = startRedis();
        a = ClusterNode.start("node-a", uri, redisCluster(), dir, CONFIG);
        b = ClusterNode.start("node-b", uri, redisCluster(), dir, CONFIG);
        c = ClusterNode.start("node-c", uri, redisCluster(), dir, CONFIG);
    }

    @AfterAll
    void stopCluster() {
        for (ClusterNode node : new ClusterNode[] {a, b, c}) {
            if (node != null) {
                node.close();
            }
        }
        stopRedis();
    }

    @AfterEach
    void closeProbes() {
        probes.forEach(WsProbe::close);
    }

    // ---------------------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void aPublishOnOneNodeReachesEverySubscriberOnEveryNodeOnceInOrderWithoutEcho() {
        String room = channel("fanout");
        WsProbe onA = pk(a);
        WsProbe onB = pk(b);
        WsProbe alsoOnB = pk(b);
        WsProbe publisher = pk(c);
        for (WsProbe probe : List.of(onA, onB, alsoOnB, publisher)) {
            subscribe(probe, room);
        }
        awaitJoined(onA, room, onB.peerId(), alsoOnB.peerId(), publisher.peerId());
        awaitJoined(onB, room, alsoOnB.peerId(), publisher.peerId());
        awaitJoined(alsoOnB, room, publisher.peerId());
        for (int i = 0; i < 20; i++) {
            publish(publisher, room, "{\"n\":" + i + "}");
        }
        for (WsProbe probe : List.of(onA, onB, alsoOnB)) {
            for (int i = 0; i < 20; i++) {
                JsonNode message = probe.expectType("message");
                assertThat(message.path("from").asString()).isEqualTo(publisher.peerId());
                assertThat(message.path("data").path("n").asInt()).as("order on " + probe).isEqualTo(i);
            }
            expectOpenWithNothingPending(probe); // nothing twice: the next frame is the pong
        }
        expectOpenWithNothingPending(publisher); // no echo
    }

    @Test
    @Order(2)
    void presenceIsOneRosterAndTabsOnTwoNodesAreOneMember() {
        String room = channel("roster");
        String bob = sub("bob");
        WsProbe alice = pk(a);
        subscribe(alice, room);
        WsProbe bobOnB = jwt(b, bob, "{\"name\":\"Bob\"}");
        JsonNode snapshot = subscribe(bobOnB, room);
        assertThat(peerIds(snapshot.path("joined"))).containsExactly(alice.peerId());
        JsonNode joined = expectPresence(alice, room, List.of(bob), List.of());
        assertThat(joined.path("joined").get(0).path("metadata").path("name").asString()).isEqualTo("Bob");

        WsProbe bobOnC = jwt(c, bob, "{\"name\":\"Bob\"}");
        JsonNode tabSnapshot = subscribe(bobOnC, room);
        assertThat(peerIds(tabSnapshot.path("joined"))).containsExactly(alice.peerId());
        bobOnB.close();
        WsProbe carol = pk(b); // a join after both of bob's changes proves alice was told nothing about bob
        subscribe(carol, room);
        expectPresence(alice, room, List.of(carol.peerId()), List.of());

        bobOnC.close();
        expectPresence(alice, room, List.of(), List.of(bob));
        expectOpenWithNothingPending(alice);
    }

    @Test
    @Order(3)
    void aSendReachesThePeerOnAnyNodeAndPeerNotFoundOnlyWhenItIsOnNone() {
        String bob = sub("bob");
        WsProbe alice = pk(a);
        WsProbe bobOnB = jwt(b, bob, null);
        WsProbe bobOnC = jwt(c, bob, null);
        String rid = rid();
        alice.sendFrame("type", "send", "to", bob, "data", WsProbe.parse("{\"sdp\":\"offer\"}"), "requestId", rid);
        expectAck(alice, rid);
        for (WsProbe tab : List.of(bobOnB, bobOnC)) {
            JsonNode direct = tab.expectType("direct");
            assertThat(direct.path("from").asString()).isEqualTo(alice.peerId());
            assertThat(direct.path("data").path("sdp").asString()).isEqualTo("offer");
        }
        String missing = rid();
        alice.sendFrame("type", "send", "to", sub("nobody"), "data", 1, "requestId", missing);
        expectError(alice, "peer_not_found", missing);
        // replies keep the order of the frames even when one waits for the cluster
        String first = rid();
        String second = rid();
        alice.sendFrame("type", "send", "to", bob, "data", 1, "requestId", first);
        alice.sendFrame("type", "ping");
        alice.sendFrame("type", "send", "to", bob, "data", 2, "requestId", second);
        expectAck(alice, first);
        alice.expectType("pong");
        expectAck(alice, second);
    }

    @Test
    @Order(4)
    void restKickPeersPublishAndUsageAnswerForTheWholeClusterFromAnyNode() {
        String room = channel("rest");
        String dave = sub("dave");
        WsProbe daveOnA = jwt(a, dave, null);
        WsProbe daveOnB = jwt(b, dave, null);
        subscribe(daveOnA, room);
        WsProbe listener = pk(b);
        subscribe(listener, room);
        awaitJoined(daveOnA, room, listener.peerId());

        HttpResponse<String> peers = c.rest("GET", "/v1/channels/" + encode(room) + "/peers", SECRET, null);
        assertThat(peers.statusCode()).isEqualTo(200);
        assertThat(peerIds(WsProbe.parse(peers.body()).path("peers")))
                .containsExactlyInAnyOrder(dave, listener.peerId());

        HttpResponse<String> published = c.rest("POST", "/v1/channels/" + encode(room) + "/publish", SECRET,
                "{\"data\":{\"notice\":1}}");
        assertThat(published.statusCode()).isEqualTo(200);
        for (WsProbe probe : List.of(daveOnA, listener)) {
            assertThat(probe.expectType("message").path("from").asString()).isEqualTo("system");
        }

        HttpResponse<String> kicked = c.rest("DELETE", "/v1/peers/" + encode(dave), SECRET, null);
        assertThat(kicked.statusCode()).isEqualTo(200);
        assertThat(WsProbe.parse(kicked.body()).path("closed").asInt()).isEqualTo(2);
        daveOnA.expectClose(4020);
        daveOnB.expectClose(4020);
        expectPresence(listener, room, List.of(), List.of(dave));

        pk(a);
        pk(b);
        for (ClusterNode node : List.of(c, a)) { // a node with none of them, and one with one of them
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonNode usage = WsProbe.parse(node.rest("GET", "/v1/usage", SECRET, null).body());
                assertThat(usage.path("concurrentNow").asInt()).as("listener and two more, asked of " + node)
                        .isEqualTo(3);
                assertThat(usage.path("messagesUsed").asLong()).isPositive();
            });
        }
    }

    @Test
    @Order(5)
    void theConnectionCapHoldsForTheWholeCluster() {
        WsProbe first = track(WsProbe.connect(a.uri(TestServer.keyQuery(TestServer.PK_CAPPED)), Map.of()));
        first.awaitWelcome();
        WsProbe second = track(WsProbe.connect(b.uri(TestServer.keyQuery(TestServer.PK_CAPPED)), Map.of()));
        second.expectClose(4010);
        first.close();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            WsProbe again = track(WsProbe.connect(c.uri(TestServer.keyQuery(TestServer.PK_CAPPED)), Map.of()));
            assertThat(again.nextEvent(WsProbe.DEFAULT_TIMEOUT).text()).contains("\"welcome\"");
        });
    }

    @Test
    @Order(5)
    void theMessageQuotaCountsTheWholeClusterOnceTheNodesHaveReported() {
        String room = channel("quota");
        WsProbe onA = track(WsProbe.connect(a.uri(TestServer.keyQuery(TestServer.PK_QUOTA)), Map.of()));
        onA.awaitWelcome();
        WsProbe onB = track(WsProbe.connect(b.uri(TestServer.keyQuery(TestServer.PK_QUOTA)), Map.of()));
        onB.awaitWelcome();
        for (int i = 0; i < 3; i++) { // the app's whole quota, all of it on node a
            publish(onA, room, Integer.toString(i));
        }
        String quotaSecret = TestServer.SK_QUOTA + ":" + TestServer.SK_QUOTA_SECRET;
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> { // reports are once a second
            JsonNode usage = WsProbe.parse(b.rest("GET", "/v1/usage", quotaSecret, null).body());
            assertThat(usage.path("messagesUsed").asLong()).as("node b's view").isEqualTo(3);
        });
        String rid = rid();
        onB.sendFrame("type", "publish", "channel", room, "data", 4, "requestId", rid);
        expectError(onB, "over_message_quota", rid); // node b had accepted none of the three
    }

    @Test
    @Order(6)
    void aPatternSubscriberGetsEachMatchingPublicationOnceFromAnyNode() {
        String prefix = channel("devices");
        WsProbe both = pk(a);
        subscribe(both, prefix + "/*/events");
        subscribe(both, prefix + "/7/events");
        WsProbe publisher = pk(b);
        publish(publisher, prefix + "/7/events", "1");
        publish(publisher, prefix + "/8/events", "2");
        publish(publisher, prefix + "/8/other", "3");
        assertThat(both.expectType("message").path("channel").asString()).isEqualTo(prefix + "/7/events");
        assertThat(both.expectType("message").path("channel").asString()).isEqualTo(prefix + "/8/events");
        expectOpenWithNothingPending(both);
    }

    @Test
    @Order(7)
    void aNodeTakenForDeadDuringALongPauseRegistersItsMembersAgainWhenItWakes() {
        String room = channel("paused");
        WsProbe watcher = watcherOn(a, room);
        WsProbe sleeper = memberOn(b, room, watcher);
        b.pause();
        try { // past the node timeout (9 s) the survivors remove its members
            ServerTestBase.assertPresence(watcher.expect(Duration.ofSeconds(15)), room, List.of(),
                    List.of(sleeper.peerId()));
        } finally {
            b.resume();
        }
        // at its next heartbeat it learns it was taken for dead and registers again
        ServerTestBase.assertPresence(watcher.expect(Duration.ofSeconds(10)), room, List.of(sleeper.peerId()),
                List.of());
        drainPresence(sleeper); // its session outlived the pause
        publish(sleeper, room, "\"awake\"");
        assertThat(watcher.expectType("message").path("data").asString()).isEqualTo("awake");
        expectOpenWithNothingPending(watcher);
    }

    @Test
    @Order(8)
    void aKilledNodesMembersLeaveEverywhereWithinFifteenSeconds() {
        String room = channel("killed");
        WsProbe watcher = watcherOn(a, room);
        WsProbe doomed = memberOn(c, room, watcher);
        long killedAt = System.nanoTime();
        c.kill();
        // the node timeout is 9 s and the heartbeat 3 s, so the delta may take up to 12 s
        JsonNode left = watcher.expect(Duration.ofSeconds(15));
        ServerTestBase.assertPresence(left, room, List.of(), List.of(doomed.peerId()));
        assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(Duration.ofSeconds(15));
    }

    // ---------------------------------------------------------------------------------------------------------

    /** The next frame of {@code probe}, with any presence delta applied to {@code roster} on the way. */
    static JsonNode readRoster(WsProbe probe, java.util.Set<String> roster, Duration timeout) {
        JsonNode frame = probe.expect(timeout);
        if (frame.path("type").asString().equals("presence")) {
            roster.addAll(peerIds(frame.path("joined")));
            roster.removeAll(peerIds(frame.path("left")));
        }
        return frame;
    }

    /** One unlabelled series of the node's {@code /metrics}. */
    static double metric(ClusterNode node, String name) throws java.io.IOException {
        for (String line : node.get("/metrics").body().split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).strip());
            }
        }
        throw new AssertionError(name + " not in /metrics of " + node);
    }

    /** A connection on {@code node} subscribed to {@code room}. */
    private WsProbe watcherOn(ClusterNode node, String room) {
        WsProbe watcher = pk(node);
        subscribe(watcher, room);
        return watcher;
    }

    /** A connection on {@code node} in {@code room}, once {@code watcher} has seen it join. */
    private WsProbe memberOn(ClusterNode node, String room, WsProbe watcher) {
        WsProbe member = watcherOn(node, room);
        expectPresence(watcher, room, List.of(member.peerId()), List.of());
        return member;
    }

    WsProbe pk(ClusterNode node) {
        WsProbe probe = track(WsProbe.connect(node.uri(TestServer.keyQuery(TestServer.PK_ALL)), Map.of()));
        probe.awaitWelcome();
        return probe;
    }

    private WsProbe jwt(ClusterNode node, String sub, String peerMetadata) {
        long now = System.currentTimeMillis() / 1000;
        String token = TokenMinter.mint(SIGNER, new TokenRequest(sub, now, now + 3600, null, null, null,
                peerMetadata == null ? null : RawJson.of(peerMetadata)));
        WsProbe probe = track(WsProbe.connect(node.uri(TestServer.tokenQuery(token)), Map.of()));
        probe.awaitWelcome();
        return probe;
    }

    private WsProbe track(WsProbe probe) {
        probes.add(probe);
        return probe;
    }

    static void publish(WsProbe publisher, String room, String json) {
        String rid = rid();
        publisher.sendFrame("type", "publish", "channel", room, "data", WsProbe.parse(json), "requestId", rid);
        expectAck(publisher, rid);
    }

    /**
     * Reads {@code probe}'s presence frames of {@code room} until each of {@code peerIds} has joined. A join made on
     * another node reaches this one through Redis at no fixed time, so a ping/pong barrier on this connection (which
     * only drains what its own node has queued) does not wait for it.
     */
    static void awaitJoined(WsProbe probe, String room, String... peerIds) {
        java.util.Set<String> missing = new java.util.HashSet<>(List.of(peerIds));
        while (!missing.isEmpty()) {
            JsonNode frame = probe.expectType("presence");
            assertThat(frame.path("channel").asString()).isEqualTo(room);
            frame.path("joined").forEach(peer -> missing.remove(peer.path("peerId").asString()));
        }
    }

    /** Reads whatever is pending (presence deltas, late messages) up to a ping's pong; fails on a close. */
    static void drainPresence(WsProbe... probes) {
        for (WsProbe probe : probes) {
            probe.sendFrame("type", "ping");
            while (!probe.expect().path("type").asString().equals("pong")) {
                // a frame that arrived before the barrier
            }
        }
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
