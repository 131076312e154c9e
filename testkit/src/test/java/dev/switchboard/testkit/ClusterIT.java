package dev.switchboard.testkit;

import static dev.switchboard.testkit.ServerTestBase.channel;
import static dev.switchboard.testkit.ServerTestBase.expectError;
import static dev.switchboard.testkit.ServerTestBase.expectOpenWithNothingPending;
import static dev.switchboard.testkit.ServerTestBase.rid;
import static dev.switchboard.testkit.ServerTestBase.peerIds;
import static dev.switchboard.testkit.ServerTestBase.subscribe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@link ClusterTests} on one real Redis, and what only one Redis lets a test do to it: cut a node's link at the
 * pub/sub output-buffer limit, and restart Redis empty (last).
 */
class ClusterIT extends ClusterTests {
    private RedisServer redis;

    @Override
    String startRedis() {
        redis = RedisServer.start();
        return redis.uri();
    }

    @Override
    boolean redisCluster() {
        return false;
    }

    @Override
    void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    @Order(7)
    void aSubscriberConnectionCutAtItsOutputBufferLimitIsNoticedAndRecovered() throws Exception {
        String room = channel("cut");
        WsProbe reader = pk(a);
        WsProbe writer = pk(b);
        subscribe(reader, room);
        subscribe(writer, room);
        awaitJoined(reader, room, writer.peerId());
        double lossesBefore = metric(a, "switchboard_cluster_link_losses_total");
        assertThat(redis.command("CONFIG", "SET", "client-output-buffer-limit", "pubsub 16kb 0 0")).isEqualTo("+OK");
        try {
            publish(writer, room, "\"" + "x".repeat(40_000) + "\""); // over the limit: Redis drops node a's link
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> metric(a, "switchboard_cluster_link_losses_total") > lossesBefore);
        } finally {
            assertThat(redis.command("CONFIG", "SET", "client-output-buffer-limit", "pubsub 32mb 8mb 60"))
                    .isEqualTo("+OK");
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            publish(writer, room, "\"after\"");
            assertThat(reader.expect(Duration.ofMillis(500)).path("data").asString()).isEqualTo("after");
        });
        drainPresence(reader, writer); // neither client noticed anything but the message missed in the gap
        assertThat(metric(a, "switchboard_cluster_link_up")).isEqualTo(1.0);
        assertThat(a.log()).contains("cluster_link_lost").contains("cluster_link_restored");
    }

    @Test
    @Order(9)
    void afterARedisRestartNodesKeepTheirSessionsAndChatAgain() throws Exception {
        String room = channel("restart");
        WsProbe alice = pk(a);
        WsProbe bob = pk(b);
        subscribe(alice, room);
        subscribe(bob, room);
        awaitJoined(alice, room, bob.peerId());
        java.util.Set<String> bobSees = new java.util.TreeSet<>(List.of(alice.peerId())); // bob's roster
        redis.restart();
        publish(alice, room, "\"during\""); // this node's own subscribers still get it; the others may not
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            publish(alice, room, "\"after\"");
            JsonNode frame = readRoster(bob, bobSees, Duration.ofMillis(500));
            assertThat(frame.path("data").asString()).isEqualTo("after");
        });
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            HttpResponse<String> peers = b.rest("GET", "/v1/channels/" + encode(room) + "/peers", SECRET, null);
            assertThat(peerIds(WsProbe.parse(peers.body()).path("peers")))
                    .containsExactlyInAnyOrder(alice.peerId(), bob.peerId());
        });
        WsProbe carol = pk(a);
        JsonNode snapshot = subscribe(carol, room);
        assertThat(peerIds(snapshot.path("joined"))).containsExactlyInAnyOrder(alice.peerId(), bob.peerId());
        // bob's own roster, from the deltas it was sent, ends with alice and carol whatever flickered meanwhile
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            bob.sendFrame("type", "ping");
            while (!readRoster(bob, bobSees, WsProbe.DEFAULT_TIMEOUT).path("type").asString().equals("pong")) {
                // presence deltas and late messages
            }
            assertThat(bobSees).containsExactlyInAnyOrder(alice.peerId(), carol.peerId());
        });
        drainPresence(alice); // both still open: no session was dropped because of the restart
        assertThat(a.log()).contains("cluster_link_lost").contains("cluster_link_restored");
    }

    @Test
    @Order(10)
    void whileRedisIsDownAPublishToAChannelWithHistoryIsRefusedAndAfterwardsItsStreamStartsInANewEpoch()
            throws Exception {
        String room = channel("hist");
        WsProbe reader = pk(a);
        WsProbe writer = pk(a);
        String rid = rid();
        reader.sendFrame("type", "subscribe", "channel", room, "requestId", rid);
        JsonNode ack = reader.expectType("ack");
        assertThat(ack.path("offset").asLong()).as("a channel with history: " + ack).isZero();
        reader.expectType("presence");
        publish(writer, room, "1");
        JsonNode first = reader.expectType("message");
        assertThat(first.path("offset").asLong()).isEqualTo(1);
        assertThat(first.path("epoch").asString()).isEqualTo(ack.path("epoch").asString());

        redis.stop();
        String refused = rid();
        writer.sendFrame("type", "publish", "channel", room, "data", 2, "requestId", refused);
        expectError(writer, "backend_error", refused);
        HttpResponse<String> rest = b.rest("POST", "/v1/channels/" + encode(room) + "/publish", SECRET,
                "{\"data\":3}");
        assertThat(rest.statusCode()).as(rest.body()).isEqualTo(503);
        assertThat(rest.body()).contains("internal_error");
        expectOpenWithNothingPending(reader); // neither reached the reader: Redis did not take them

        redis.restart(); // empty: the stream is lost
        JsonNode[] after = new JsonNode[1];
        int[] attempt = {10};
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            String again = rid();
            writer.sendFrame("type", "publish", "channel", room, "data", ++attempt[0], "requestId", again);
            JsonNode answer = writer.expect();
            assertThat(answer.path("type").asString()).as(answer.toString()).isEqualTo("ack");
            after[0] = reader.expect(Duration.ofMillis(500)); // once node a listens on the room again
            assertThat(after[0].path("data").asInt()).isEqualTo(attempt[0]);
        });
        assertThat(after[0].path("offset").asLong()).as("offsets start again").isLessThanOrEqualTo(attempt[0] - 10);
        assertThat(after[0].path("epoch").asString()).as("a new epoch")
                .isNotEqualTo(first.path("epoch").asString());
    }
}
