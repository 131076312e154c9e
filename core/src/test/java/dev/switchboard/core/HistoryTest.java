package dev.switchboard.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.auth.ChannelRule;
import dev.switchboard.core.spi.Streams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * History and gapless resume on one node (docs/history.md): offsets and bounds, where a dropped connection stood
 * (written and confirmed by a pong, not merely queued), and the replay a resubscribe gets.
 */
class HistoryTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration TTL = Duration.ofMinutes(5);

    private static TestNode node(int size, int replayOnSubscribe) {
        return node(size, replayOnSubscribe, TTL);
    }

    private static TestNode node(int size, int replayOnSubscribe, Duration ttl) {
        return TestNode.withChannels(List.of(new ChannelRule("room-*", new ChannelRule.History(size, ttl),
                replayOnSubscribe, null)));
    }

    /** The frames of {@code type} among {@code frames}, parsed. */
    /** The node's history page (a standalone node answers at once). */
    private static HistoryPage page(TestNode fx, String channel, Long since, String epoch, int limit) {
        return fx.node.history(TestNode.APP, channel, since, epoch, limit).toCompletableFuture().join().orElseThrow();
    }

    private static List<JsonNode> of(String type, List<String> frames) {
        List<JsonNode> found = new ArrayList<>();
        for (String frame : frames) {
            if (TestNode.type(frame).equals(type)) {
                found.add(JSON.readTree(frame));
            }
        }
        return found;
    }

    private static List<Integer> seqs(List<String> frames) {
        return of("message", frames).stream().map(m -> m.path("data").path("seq").asInt()).toList();
    }

    private static void publish(TestNode.Client publisher, int from, int to) {
        for (int seq = from; seq <= to; seq++) {
            publisher.publish("room-1", "{\"seq\":" + seq + "}");
        }
    }

    /**
     * A connection of {@code peerId} whose transport writes pings, subscribed to room-1, its snapshot's barrier
     * ping (1) answered: from here its confirming pings are 2, 3, …
     */
    private static TestNode.Client pinging(TestNode fx, String peerId) {
        TestNode.Client client = fx.connect(peerId);
        client.transport.pings = true;
        client.subscribe("room-1");
        pong(fx, client, 1);
        return client;
    }

    /** The client answers ping {@code sequence}. */
    private static void pong(TestNode fx, TestNode.Client client, long sequence) {
        client.session.onPong(sequence);
        fx.settle();
    }

    @Test
    void publicationsGetIncreasingOffsetsOfOneEpochAndTheStreamKeepsTheNewestSize() {
        TestNode fx = node(3, 0);
        TestNode.Client reader = fx.connect("reader").subscribe("room-1", "s");
        JsonNode ack = of("ack", reader.take()).getFirst();
        assertThat(ack.path("offset").asLong()).isZero();
        String epoch = ack.path("epoch").asString();
        publish(fx.connect("writer"), 1, 5);
        List<JsonNode> messages = of("message", reader.take());
        assertThat(messages).extracting(m -> m.path("offset").asLong()).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(messages).allSatisfy(m -> assertThat(m.path("epoch").asString()).isEqualTo(epoch));

        HistoryPage page = page(fx, "room-1", null, null, 10);
        assertThat(page.messages()).extracting(Streams.Entry::offset).containsExactly(3L, 4L, 5L);
        assertThat(page.offset()).isEqualTo(5);
        assertThat(page(fx, "room-1", 1L, epoch, 10).missed()).isTrue();
        assertThat(page(fx, "room-1", 2L, epoch, 10).missed()).isFalse();
        assertThat(page(fx, "room-1", 2L, "other", 10).missed()).isTrue();
        assertThat(fx.node.history(TestNode.APP, "lobby", null, null, 10).toCompletableFuture().join())
                .as("no rule, no history").isEmpty();
    }

    @Test
    void messagesExpireAfterTheTtlAndAnIdleStreamStartsAgainInANewEpoch() {
        TestNode fx = node(100, 0);
        publish(fx.connect("writer"), 1, 2);
        String epoch = page(fx, "room-1", null, null, 10).epoch();
        fx.scheduler.advance(TTL.plusSeconds(1));
        assertThat(page(fx, "room-1", null, null, 10).messages()).isEmpty();
        fx.scheduler.advance(TTL.plusSeconds(2)); // the sweep drops the stream, idle past its TTL
        HistoryPage fresh = page(fx, "room-1", null, null, 10);
        assertThat(fresh.epoch()).isNotEqualTo(epoch);
        assertThat(fresh.offset()).isZero();
    }

    @Test
    void aStreamWithSubscribersIsKeptThroughAnIdleTtlSoTheyKeepTheirPlace() {
        Duration ttl = Duration.ofSeconds(2); // idle well past it, within the keepalive's 30 s
        TestNode fx = node(100, 0, ttl);
        TestNode.Client reader = fx.connect("reader").subscribe("room-1", "s");
        String epoch = of("ack", reader.take()).getFirst().path("epoch").asString();
        fx.scheduler.advance(ttl.multipliedBy(5)); // nothing published: the stream is empty and idle
        fx.connect("writer").publish("room-1", "{\"seq\":1}");
        assertThat(of("message", reader.take()).getFirst().path("epoch").asString()).isEqualTo(epoch);
        reader.session.onTransportClosed();
        fx.connect("writer2").publish("room-1", "{\"seq\":2}");
        assertThat(seqs(fx.connect("reader").subscribe("room-1").take())).as("its place kept").containsExactly(2);
    }

    @Test
    void aResubscribeOfTheSamePeerGetsWhatItsDroppedConnectionHadNotWrittenInOrderBeforeLiveMessages() {
        TestNode fx = node(100, 0);
        TestNode.Client writer = fx.connect("writer");
        TestNode.Client first = fx.connect("alice").subscribe("room-1");
        publish(writer, 1, 3);
        assertThat(seqs(first.take())).containsExactly(1, 2, 3);
        // 4 and 5 are queued for the connection but its I/O thread never writes them: it drops first.
        fx.node.publish(TestNode.APP, "room-1", "system", dev.switchboard.protocol.RawJson.of("{\"seq\":4}"), null);
        fx.node.publish(TestNode.APP, "room-1", "system", dev.switchboard.protocol.RawJson.of("{\"seq\":5}"), null);
        first.session.onTransportClosed();
        publish(writer, 6, 7);

        TestNode.Client again = fx.connect("alice").subscribe("room-1", "resub");
        List<String> frames = again.take();
        assertThat(TestNode.type(frames.getFirst())).isEqualTo("ack");
        assertThat(of("ack", frames).getFirst().path("recovered").asBoolean()).isTrue();
        assertThat(seqs(frames)).containsExactly(4, 5, 6, 7);
        publish(writer, 8, 8);
        assertThat(seqs(again.take())).containsExactly(8);
    }

    @Test
    void aWrittenMessageCountsAsReceivedOnlyOnceThePongOfAPingAfterItCame() {
        TestNode fx = node(100, 0);
        TestNode.Client writer = fx.connect("writer");
        TestNode.Client first = pinging(fx, "alice");
        publish(writer, 1, 2);
        assertThat(seqs(first.take())).containsExactly(1, 2);
        pong(fx, first, 2); // the ping written after 1 (one ping is out at a time)...
        fx.scheduler.advance(Duration.ofNanos(Positions.PING_INTERVAL_NANOS)); // ...the next at most every 50 ms...
        fx.settle();
        pong(fx, first, 3); // ...written after 2
        publish(writer, 3, 3);
        assertThat(seqs(first.take())).containsExactly(3); // written, its ping not answered
        first.session.onTransportClosed();

        TestNode.Client again = fx.connect("alice").subscribe("room-1");
        assertThat(seqs(again.take())).as("3 may have been lost on the way: sent again").containsExactly(3);
    }

    @Test
    void beyondTheWindowTheResubscribeGetsWhatIsKeptAndTheAckSaysSo() {
        TestNode fx = node(3, 0);
        TestNode.Client writer = fx.connect("writer");
        fx.connect("alice").subscribe("room-1").session.onTransportClosed();
        publish(writer, 1, 6);
        List<String> frames = fx.connect("alice").subscribe("room-1", "resub").take();
        assertThat(seqs(frames)).containsExactly(4, 5, 6);
        JsonNode ack = of("ack", frames).getFirst();
        assertThat(ack.path("recovered").asBoolean(true)).isFalse();
        assertThat(ack.path("offset").asLong()).isEqualTo(6);
    }

    @Test
    void aReplayIsTheNewestMessagesThatFitHalfTheOutboundBoundAndSaysItIsIncomplete() {
        long bound = 128 * 1024;
        NodeSettings settings = new NodeSettings(64 * 1024, 1000, 1000, bound, Duration.ofSeconds(30),
                Duration.ofSeconds(10), Duration.ZERO, bound);
        TestNode fx = new TestNode(settings, dev.switchboard.core.auth.AppLimits.UNLIMITED, List.of("**"),
                dev.switchboard.core.cluster.MemoryCluster.standalone(), List.of(new ChannelRule("room-*",
                        new ChannelRule.History(1000, TTL), 0, null)));
        TestNode.Client writer = fx.connect("writer");
        fx.connect("alice").subscribe("room-1").session.onTransportClosed();
        String pad = "p".repeat(1000);
        for (int seq = 1; seq <= 100; seq++) { // ~100 KB missed, more than the 64 KB a replay may take
            writer.publish("room-1", "{\"seq\":" + seq + ",\"pad\":\"" + pad + "\"}");
        }
        List<String> frames = fx.connect("alice").subscribe("room-1", "resub").take();
        JsonNode ack = of("ack", frames).getFirst();
        assertThat(ack.path("recovered").asBoolean(true)).isFalse();
        List<Integer> replayed = seqs(frames);
        assertThat(replayed.getLast()).isEqualTo(100);
        assertThat(replayed).isEqualTo(java.util.stream.IntStream.rangeClosed(replayed.getFirst(), 100).boxed()
                .toList());
        long bytes = frames.stream().filter(f -> TestNode.type(f).equals("message"))
                .mapToLong(f -> f.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).sum();
        int older = replayed.getFirst() - 1;
        long olderBytes = dev.switchboard.protocol.ServerFrames.message("room-1", "writer",
                dev.switchboard.protocol.RawJson.of("{\"seq\":" + older + ",\"pad\":\"" + pad + "\"}"), null, older,
                ack.path("epoch").asString()).length;
        assertThat(bytes).as("within half the bound").isLessThanOrEqualTo(bound / 2);
        assertThat(bytes + olderBytes).as("one more would not be").isGreaterThan(bound / 2);
    }

    @Test
    void aNewConnectionWhileTheOldOneIsNotKnownDeadYetResumesFromTheOldOnesConfirmedPosition() {
        TestNode fx = node(100, 0);
        TestNode.Client writer = fx.connect("writer");
        TestNode.Client old = pinging(fx, "alice");
        publish(writer, 1, 1);
        pong(fx, old, 2); // the ping after 1
        publish(writer, 2, 3); // written to a socket that is dead, but no one knows yet
        TestNode.Client fresh = fx.connect("alice").subscribe("room-1");
        assertThat(seqs(fresh.take())).containsExactly(2, 3);
        old.session.onTransportClosed(); // taken over: keeps no cursor
        assertThat(seqs(fx.connect("alice").subscribe("room-1").take())).as("nothing to resume").isEmpty();
    }

    @Test
    void aLiveTabTakenForDeadByANewTabProvesItselfAliveByItsNextPongAndStillResumes() {
        TestNode fx = node(100, 0);
        TestNode.Client writer = fx.connect("writer");
        TestNode.Client live = pinging(fx, "alice");
        publish(writer, 1, 1); // written; its confirming ping (2) not answered yet
        assertThat(seqs(fx.connect("alice").subscribe("room-1").take())).as("the new tab, from the live one's")
                .containsExactly(1);
        pong(fx, live, 2); // the live tab answers: not dead after all
        live.session.onTransportClosed();
        publish(writer, 2, 2);
        assertThat(seqs(fx.connect("alice").subscribe("room-1").take())).as("its own resume").containsExactly(2);
    }

    @Test
    void twoDroppedTabsOfOnePeerResumeEachFromItsOwnPositionTheOldestFirst() {
        TestNode fx = node(100, 0);
        TestNode.Client writer = fx.connect("writer");
        TestNode.Client tab1 = fx.connect("alice").subscribe("room-1");
        TestNode.Client tab2 = fx.connect("alice").subscribe("room-1");
        publish(writer, 1, 1);
        tab1.session.onTransportClosed();
        publish(writer, 2, 2);
        tab2.session.onTransportClosed();
        publish(writer, 3, 3);
        assertThat(seqs(fx.connect("alice").subscribe("room-1").take())).containsExactly(2, 3);
        assertThat(seqs(fx.connect("alice").subscribe("room-1").take())).containsExactly(3);
        assertThat(seqs(fx.connect("alice").subscribe("room-1").take())).as("no third tab dropped").isEmpty();
    }

    @Test
    void replayOnSubscribeGivesAFirstTimeSubscriberTheNewestNAndSinceRecoversFromAPosition() {
        TestNode fx = node(100, 2);
        publish(fx.connect("writer"), 1, 5);
        TestNode.Client late = fx.connect("bob").subscribe("room-1", "s");
        List<String> frames = late.take();
        assertThat(seqs(frames)).containsExactly(4, 5);
        String epoch = of("ack", frames).getFirst().path("epoch").asString();
        late.send("{\"type\":\"subscribe\",\"channel\":\"room-1\",\"requestId\":\"again\",\"since\":{\"offset\":1,"
                + "\"epoch\":\"" + epoch + "\"}}");
        assertThat(seqs(late.take())).containsExactly(2, 3, 4, 5);
        late.send("{\"type\":\"subscribe\",\"channel\":\"room-1\",\"requestId\":\"repeat\"}");
        assertThat(seqs(late.take())).as("a repeated subscribe replays nothing").isEmpty();
    }

    @Test
    void theHistoryBudgetTrimsTheOldestMessages() {
        NodeSettings small = new NodeSettings(64 * 1024, 1000, 1000, 1 << 20, Duration.ofSeconds(30),
                Duration.ofSeconds(10), Duration.ZERO, 1 << 20, 10_000);
        TestNode fx = new TestNode(small, dev.switchboard.core.auth.AppLimits.UNLIMITED, List.of("**"),
                dev.switchboard.core.cluster.MemoryCluster.standalone(), List.of(new ChannelRule("room-*",
                        new ChannelRule.History(10_000, TTL), 0, null)));
        TestNode.Client writer = fx.connect("writer");
        String data = "\"" + "x".repeat(1000) + "\"";
        for (int i = 0; i < 100; i++) {
            writer.publish("room-1", data);
        }
        List<Streams.Entry> kept = page(fx, "room-1", null, null, 1000)
                .messages();
        assertThat(kept.size()).as("~10 KB of 1 KB messages").isBetween(5, 10);
        assertThat(kept.getLast().offset()).isEqualTo(100);
    }
}
