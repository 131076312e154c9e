package dev.switchboard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.core.auth.ChannelRule;
import dev.switchboard.core.cluster.MemoryBus;
import dev.switchboard.core.spi.Streams;
import dev.switchboard.protocol.RawJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * History on a cluster (docs/history.md, "On a cluster"), on two nodes of the in-memory engine: one stream per
 * channel whichever node publishes, the same order on every node, and a peer dropped on one node resuming on the
 * other from where its connection stood. The Redis engine passes the same through the engine contracts and the
 * conformance suite's cluster run.
 */
class ClusterHistoryTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<ChannelRule> ROOMS = List.of(new ChannelRule("room-*",
            new ChannelRule.History(100, Duration.ofMinutes(5)), 0, null));

    private final MemoryBus bus = new MemoryBus();
    private final TestNode one = TestNode.directIo(bus.join("one"), ROOMS);
    private final TestNode two = TestNode.directIo(bus.join("two"), ROOMS);

    @AfterEach
    void leave() {
        one.node.cluster().close();
        two.node.cluster().close();
    }

    /** Frames received and not yet handed out by {@link #until}, per connection. */
    private final java.util.Map<TestNode.Client, List<JsonNode>> pending = new java.util.HashMap<>();

    /** What {@code client} receives up to the first frame that satisfies {@code last}, parsed. */
    private List<JsonNode> until(TestNode.Client client, Predicate<JsonNode> last) {
        List<JsonNode> frames = arrived(client, last);
        int end = frames.indexOf(frames.stream().filter(last).findFirst().orElseThrow()) + 1;
        List<JsonNode> out = new ArrayList<>(frames.subList(0, end));
        frames.subList(0, end).clear();
        return out;
    }

    /** Waits for a frame of {@code client} that satisfies {@code wanted}; returns what is pending, it included. */
    private List<JsonNode> arrived(TestNode.Client client, Predicate<JsonNode> wanted) {
        List<JsonNode> frames = pending.computeIfAbsent(client, c -> new ArrayList<>());
        await().atMost(WAIT).until(() -> {
            for (String frame : client.take()) {
                frames.add(JSON.readTree(frame));
            }
            return frames.stream().anyMatch(wanted);
        });
        return frames;
    }

    private static Predicate<JsonNode> ack(String requestId) {
        return frame -> frame.path("type").asString().equals("ack") && frame.path("requestId").asString()
                .equals(requestId);
    }

    private static Predicate<JsonNode> seq(int seq) {
        return frame -> frame.path("type").asString().equals("message")
                && frame.path("data").path("seq").asInt() == seq;
    }

    private static List<JsonNode> messages(List<JsonNode> frames) {
        return frames.stream().filter(f -> f.path("type").asString().equals("message")).toList();
    }

    private void publish(TestNode.Client publisher, int seq) {
        publisher.publish("room-1", "{\"seq\":" + seq + "}", "p" + seq);
        arrived(publisher, ack("p" + seq)).removeIf(ack("p" + seq)); // acked once its own node delivered it
    }

    /**
     * Peer "reader" on node one, subscribed to room-1, written messages 1–3 by {@code writer} but confirming none
     * of them: its pings go unanswered (it may be dead).
     */
    private TestNode.Client readerWithoutConfirmations(TestNode.Client writer) {
        TestNode.Client reader = one.connect("reader");
        reader.transport.pings = true;
        reader.subscribe("room-1", "r");
        until(reader, ack("r"));
        reader.session.onPong(1); // the snapshot's barrier ping
        for (int seq = 1; seq <= 3; seq++) {
            publish(writer, seq);
        }
        until(reader, seq(3));
        return reader;
    }

    @Test
    void publicationsOnBothNodesGetOneStreamsOffsetsInTheSameOrderEverywhere() {
        TestNode.Client alice = one.connect("alice").subscribe("room-1", "a");
        JsonNode first = until(alice, ack("a")).getFirst();
        assertThat(first.path("offset").asLong()).isZero();
        String epoch = first.path("epoch").asString();
        TestNode.Client bob = two.connect("bob").subscribe("room-1", "b");
        assertThat(until(bob, ack("b")).getFirst().path("epoch").asString()).as("one stream").isEqualTo(epoch);

        for (int seq = 1; seq <= 6; seq++) {
            publish(seq % 2 == 0 ? alice : bob, seq);
        }
        List<JsonNode> seenByAlice = messages(until(alice, seq(5)));
        List<JsonNode> seenByBob = messages(until(bob, seq(6)));
        assertThat(seenByAlice).as("no echo").extracting(m -> m.path("data").path("seq").asInt())
                .containsExactly(1, 3, 5);
        assertThat(seenByAlice).extracting(m -> m.path("offset").asLong()).containsExactly(1L, 3L, 5L);
        assertThat(seenByBob).extracting(m -> m.path("offset").asLong()).containsExactly(2L, 4L, 6L);
        assertThat(seenByBob).allSatisfy(m -> assertThat(m.path("epoch").asString()).isEqualTo(epoch));

        for (TestNode node : List.of(one, two)) {
            HistoryPage page = node.node.history(TestNode.APP, "room-1", 2L, epoch, 10).toCompletableFuture().join()
                    .orElseThrow();
            assertThat(page.messages()).extracting(Streams.Entry::offset).containsExactly(3L, 4L, 5L, 6L);
            assertThat(page.missed()).isFalse();
        }
    }

    @Test
    void aPeerDroppedOnOneNodeResumesOnTheOtherFromWhereItsConnectionStood() {
        TestNode.Client writer = two.connect("writer");
        TestNode.Client reader = readerWithoutConfirmations(writer);
        reader.session.onTransportClosed();
        publish(writer, 4);
        two.node.publish(TestNode.APP, "room-1", "system", RawJson.of("{\"seq\":5}"), null).toCompletableFuture()
                .join();

        TestNode.Client again = two.connect("reader").subscribe("room-1", "again");
        List<JsonNode> frames = until(again, seq(5));
        assertThat(frames.getFirst().path("recovered").asBoolean()).isTrue();
        assertThat(messages(frames)).extracting(m -> m.path("data").path("seq").asInt())
                .containsExactly(1, 2, 3, 4, 5);
        publish(writer, 6);
        assertThat(messages(until(again, seq(6)))).extracting(m -> m.path("offset").asLong()).containsExactly(6L);
    }

    @Test
    void messagesANodesLinkLostAreReadFromTheStoreAndHandedOutInOrderBeforeTheNext() {
        TestNode.Client alice = one.connect("alice").subscribe("room-1", "a");
        until(alice, ack("a"));
        TestNode.Client writer = two.connect("writer");
        one.node.cluster().broker().unsubscribe(TestNode.APP, "room-1"); // node one's link loses the channel
        for (int seq = 1; seq <= 3; seq++) {
            publish(writer, seq);
        }
        one.node.cluster().broker().subscribe(TestNode.APP, "room-1").toCompletableFuture().join();
        publish(writer, 4);
        assertThat(messages(until(alice, seq(4)))).extracting(m -> m.path("offset").asLong())
                .containsExactly(1L, 2L, 3L, 4L);

        one.node.cluster().broker().unsubscribe(TestNode.APP, "room-1");
        publish(writer, 5);
        one.node.cluster().broker().subscribe(TestNode.APP, "room-1").toCompletableFuture().join();
        one.node.relay().resynchronize(); // as after a reconnect: nothing follows, the copy catches up all the same
        assertThat(messages(until(alice, seq(5)))).extracting(m -> m.path("offset").asLong()).containsExactly(5L);
    }

    @Test
    void aFrameAfterPublishesToAChannelWithHistoryWaitsForTheirAcks() {
        TestNode.Client alice = one.connect("alice").subscribe("room-1", "a"); // her own copies come back: async
        until(alice, ack("a"));
        TestNode.Client bob = two.connect("bob").subscribe("room-1", "b");
        until(bob, ack("b"));
        for (int seq = 1; seq <= 5; seq++) {
            alice.publish("room-1", "{\"seq\":" + seq + "}", "p" + seq);
        }
        alice.send("{\"type\":\"ping\",\"requestId\":\"barrier\"}");
        List<JsonNode> replies = until(alice, frame -> frame.path("type").asString().equals("pong"));
        assertThat(replies).extracting(frame -> frame.path("type").asString())
                .filteredOn(type -> !type.equals("presence")).as("the pong after every ack")
                .containsExactly("ack", "ack", "ack", "ack", "ack", "pong");
        assertThat(messages(until(bob, seq(5)))).extracting(m -> m.path("offset").asLong())
                .containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void aConnectionDeadWithoutItsNodeKnowingIsResumedFromOnTheNodeThePeerReconnectsTo() {
        TestNode.Client writer = two.connect("writer");
        TestNode.Client old = readerWithoutConfirmations(writer); // its network died, node one does not know yet
        publish(writer, 4);

        TestNode.Client again = two.connect("reader").subscribe("room-1", "again");
        List<JsonNode> frames = until(again, seq(4));
        assertThat(frames.getFirst().path("recovered").asBoolean()).isTrue();
        assertThat(messages(frames)).extracting(m -> m.path("data").path("seq").asInt()).containsExactly(1, 2, 3, 4);

        old.session.onTransportClosed(); // noticed at last: taken over, it keeps no position
        TestNode.Client third = two.connect("reader").subscribe("room-1", "third");
        assertThat(until(third, ack("third")).getLast().has("recovered")).as("nothing to resume").isFalse();
    }
}
