package dev.switchboard.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.protocol.RawJson;
import dev.switchboard.protocol.ServerFrames;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Presence snapshots of big rooms: split under the frame limit, cached per chunk, merged again as peers leave. */
class PresenceTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String CHANNEL = "room-big";
    private static final RawJson META = RawJson.of("{\"name\":\"" + "m".repeat(400) + "\"}");

    /** A snapshot part as the client receives it: a frame, or a shared frame with a part cut out. */
    static byte[] bytes(Object part) {
        if (part instanceof Outbox.Cut cut) {
            byte[] frame = new byte[cut.length()];
            System.arraycopy(cut.frame(), 0, frame, 0, cut.from());
            System.arraycopy(cut.frame(), cut.to(), frame, cut.from(), cut.frame().length - cut.to());
            return frame;
        }
        return (byte[]) part;
    }

    private static List<String> joinedIds(Object[] parts, int limit) {
        List<String> ids = new ArrayList<>();
        for (Object part : parts) {
            byte[] frame = bytes(part);
            assertThat(frame.length).as("frame size").isLessThanOrEqualTo(limit);
            JsonNode node = JSON.readTree(new String(frame, StandardCharsets.UTF_8));
            assertThat(node.path("type").asString()).isEqualTo("presence");
            assertThat(node.path("channel").asString()).isEqualTo(CHANNEL);
            assertThat(node.path("left").isEmpty()).isTrue();
            node.path("joined").forEach(e -> ids.add(e.path("peerId").asString()));
        }
        return ids;
    }

    /** A room of {@code members} peers p0, p1, … with {@link #META} each, split at {@code limit} bytes. */
    private static Presence room(int limit, int members) {
        Presence presence = new Presence(CHANNEL, limit);
        for (String id : peers(0, members)) {
            presence.join(id, META);
        }
        return presence;
    }

    private static List<String> peers(int from, int to) {
        List<String> ids = new ArrayList<>();
        for (int i = from; i < to; i++) {
            ids.add("p" + i);
        }
        return ids;
    }

    @Test
    void aRoomUnderTheLimitIsOneFrameEqualToTheDirectEncoding() {
        Presence presence = room(Presence.FRAME_BYTES, 50);
        Presence.Snapshot snapshot = presence.snapshotFor("p7");
        assertThat(snapshot.frames().length).isEqualTo(1);
        assertThat(bytes(snapshot.frames()[0])).isEqualTo(
                ServerFrames.presence(CHANNEL, presence.snapshotExcept("p7"), List.of()));
        for (String self : List.of("p0", "p49", "p20")) { // the cut at the start, the end and inside the list
            assertThat(bytes(presence.snapshotFor(self).frames()[0])).as("snapshot for %s", self)
                    .isEqualTo(ServerFrames.presence(CHANNEL, presence.snapshotExcept(self), List.of()));
        }
        Presence pair = room(Presence.FRAME_BYTES, 1);
        pair.join("q", null);
        assertThat(bytes(pair.snapshotFor("q").frames()[0]))
                .isEqualTo(ServerFrames.presence(CHANNEL, pair.snapshotExcept("q"), List.of()));
        assertThat(presence.snapshotFor("p0").frames().length).isEqualTo(1);
        assertThat(new Presence(CHANNEL).snapshotFor("alone").frames().length).as("an empty snapshot is still sent")
                .isEqualTo(1);
    }

    @Test
    void aRoomOverTheLimitIsSplitInJoinOrderWithEveryFrameUnderIt() {
        int limit = 5_000;
        Presence presence = room(limit, 100);
        List<String> all = peers(0, 100);
        assertThat(joinedIds(presence.snapshotFor(null).frames(), limit)).containsExactlyElementsOf(all);
        List<String> withoutSelf = new ArrayList<>(all);
        withoutSelf.remove("p42");
        Presence.Snapshot own = presence.snapshotFor("p42");
        assertThat(joinedIds(own.frames(), limit)).containsExactlyElementsOf(withoutSelf);
        assertThat(own.ownBytes()).as("the chunk holding p42 is the shared frame with p42 cut out").isZero();
        assertThat(own.frames()).filteredOn(Outbox.Cut.class::isInstance).singleElement()
                .satisfies(cut -> assertThat(((Outbox.Cut) cut).frame()).isIn(presence.snapshotFor(null).frames()));
    }

    @Test
    void chunkFramesAreSharedAndAJoinReencodesOnlyTheLastChunk() {
        int limit = 5_000;
        Presence presence = room(limit, 100);
        Object[] before = presence.snapshotFor("outsider").frames();
        assertThat(presence.snapshotFor("another").frames()[0]).as("cached, the same array").isSameAs(before[0]);
        presence.join("p100", META);
        Object[] after = presence.snapshotFor("outsider").frames();
        for (int i = 0; i < before.length - 1; i++) {
            assertThat(after[i]).as("chunk %d untouched by a join", i).isSameAs(before[i]);
        }
        assertThat(joinedIds(after, limit)).containsExactlyElementsOf(peers(0, 101));
    }

    @Test
    void chunksMergeAgainWhenPeersLeaveSoASmallRoomIsOneFrame() {
        int limit = 5_000;
        Presence presence = room(limit, 100);
        assertThat(presence.chunkCount()).isGreaterThan(5);
        for (int i = 0; i < 100; i++) {
            if (i % 10 != 0) {
                presence.leave("p" + i);
            }
        }
        assertThat(presence.chunkCount()).as("10 members of ~420 bytes fit one frame").isEqualTo(1);
        assertThat(joinedIds(presence.snapshotFor(null).frames(), limit))
                .containsExactly("p0", "p10", "p20", "p30", "p40", "p50", "p60", "p70", "p80", "p90");
        assertThat(presence.snapshotExcept(null)).extracting(ServerFrames.PresencePeer::peerId)
                .containsExactly("p0", "p10", "p20", "p30", "p40", "p50", "p60", "p70", "p80", "p90");
    }

    @Test
    void aBatchFrameReachesEachNewcomerWithoutItsOwnEntry() {
        List<ServerFrames.PresencePeer> joined = List.of(new ServerFrames.PresencePeer("a", META),
                new ServerFrames.PresencePeer("b", null), new ServerFrames.PresencePeer("c", META));
        List<ServerFrames.PresencePeer> left = List.of(new ServerFrames.PresencePeer("z", null));
        List<Presence.Delta> deltas = Presence.deltaFrames(CHANNEL, joined, left);
        assertThat(deltas).singleElement().satisfies(delta -> {
            assertThat(delta.frame).isEqualTo(ServerFrames.presence(CHANNEL, joined, left));
            assertThat(delta.frameFor("outsider")).isSameAs(delta.frame);
            for (ServerFrames.PresencePeer self : joined) {
                List<ServerFrames.PresencePeer> others = joined.stream().filter(p -> p != self).toList();
                assertThat(bytes(delta.frameFor(self.peerId()))).isEqualTo(ServerFrames.presence(CHANNEL, others, left));
            }
        });
        Presence.Delta alone = Presence.deltaFrames(CHANNEL, List.of(joined.get(1)), List.of()).getFirst();
        assertThat(alone.frameFor("b")).as("nothing left to tell b").isNull();
    }

    @Test
    void aSecondConnectionOfAPeerDoesNotJoinAgainAndTheLastOneLeaves() {
        Presence presence = new Presence(CHANNEL);
        assertThat(presence.join("a", META)).isNotNull();
        assertThat(presence.join("a", META)).isNull();
        assertThat(presence.leave("a")).isNull();
        assertThat(presence.leave("a")).isNotNull();
        assertThat(presence.size()).isZero();
        assertThat(presence.chunkCount()).isZero();
    }
}
