package dev.switchboard.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.auth.ChannelRule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Presence modes of big rooms (docs/history.md): a batched room of 10,000 members under churn costs each member
 * at most one frame per interval and still leaves every member with the true roster; a count room sends counts.
 */
class PresenceModesTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final String ROOM = "class-1";

    private static TestNode node(ChannelRule.Mode mode, int threshold) {
        return TestNode.withChannels(List.of(new ChannelRule("class-*", null, 0,
                new ChannelRule.PresenceRule(mode, threshold, INTERVAL, Set.of(), Set.of()))));
    }

    /** The presence frames among {@code frames}, parsed. */
    private static List<JsonNode> presence(List<String> frames) {
        List<JsonNode> found = new ArrayList<>();
        for (String frame : frames) {
            if (TestNode.type(frame).equals("presence")) {
                found.add(JSON.readTree(frame));
            }
        }
        return found;
    }

    /** A member's view of the roster after applying {@code frames} (snapshot first, then deltas) to {@code roster}. */
    private static void apply(Set<String> roster, List<JsonNode> frames) {
        for (JsonNode frame : frames) {
            frame.path("joined").forEach(peer -> roster.add(peer.path("peerId").asString()));
            frame.path("left").forEach(peer -> roster.remove(peer.path("peerId").asString()));
        }
    }

    /**
     * A member of the room and, if it is {@code watched}, the roster it has been told (10,000 rosters of 10,000
     * would not fit the test's heap).
     */
    private record Member(TestNode.Client client, Set<String> view) {
        static Member join(TestNode fx, String peerId, boolean watched) {
            Member member = new Member(fx.connect(peerId).subscribe(ROOM), watched ? new HashSet<>() : null);
            member.read(Integer.MAX_VALUE);
            return member;
        }

        /** Applies the presence frames received since the last read, asserting there are at most {@code max}. */
        void read(int max) {
            List<JsonNode> frames = presence(client.take());
            assertThat(frames).as("presence frames of %s", client.peerId()).hasSizeLessThanOrEqualTo(max);
            if (view != null) {
                apply(view, frames);
            }
        }
    }

    @Test
    void aBatchedRoomOfTenThousandUnderChurnCostsEachMemberOneFramePerInterval() {
        TestNode fx = node(ChannelRule.Mode.BATCHED, 100);
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            members.add(Member.join(fx, "m" + i, i % 50 == 7));
        }
        fx.scheduler.advance(INTERVAL);
        fx.settle();
        for (Member member : members) {
            member.read(Integer.MAX_VALUE); // the first 99 joins, under the threshold, went out one by one
        }

        for (int round = 0; round < 3; round++) { // an interval of churn: 300 leave, 300 join, 50 join and leave
            List<Member> leaving = List.copyOf(members.subList(0, 300));
            for (Member member : leaving) {
                member.client().session.onTransportClosed();
            }
            members.removeAll(leaving);
            for (int i = 0; i < 300; i++) {
                members.add(Member.join(fx, "r" + round + "-" + i, i % 10 == 0));
            }
            for (int i = 0; i < 50; i++) {
                fx.connect("flicker" + round + "-" + i).subscribe(ROOM).session.onTransportClosed();
            }
            fx.settle();
            fx.scheduler.advance(INTERVAL);
            fx.settle();

            Set<String> roster = new HashSet<>();
            members.forEach(member -> roster.add(member.client().peerId()));
            assertThat(fx.hub().members(ROOM)).hasSize(10_000);
            for (Member member : members) {
                member.read(1);
                if (member.view() != null) {
                    Set<String> expected = new HashSet<>(roster);
                    expected.remove(member.client().peerId());
                    assertThat(member.view().equals(expected)).as("roster of %s after churn %d: %d members",
                            member.client().peerId(), round, member.view().size()).isTrue();
                }
            }
        }
    }

    @Test
    void aBatchSharedByEveryMemberIsNotCountedOncePerMemberAgainstTheNodesBudget() {
        NodeSettings small = new NodeSettings(64 * 1024, 1000, 1000, 128 * 1024, Duration.ofSeconds(30),
                Duration.ofSeconds(10), Duration.ZERO, 256 * 1024);
        TestNode fx = new TestNode(small, dev.switchboard.core.auth.AppLimits.UNLIMITED, List.of("**"),
                dev.switchboard.core.cluster.MemoryCluster.standalone(), List.of(new ChannelRule("class-*", null, 0,
                        new ChannelRule.PresenceRule(ChannelRule.Mode.BATCHED, 2, INTERVAL, Set.of(), Set.of()))));
        String metadata = "{\"bio\":\"" + "b".repeat(400) + "\"}";
        List<TestNode.Client> members = new ArrayList<>();
        for (int i = 0; i < 200; i++) { // one batch of ~85 KB for 200 members: 17 MB if each held a copy
            members.add(fx.connectWithMetadata("m" + i, metadata).subscribe(ROOM));
        }
        fx.scheduler.advance(INTERVAL);
        fx.settle();
        assertThat(members).allSatisfy(member -> {
            assertThat(member.closeCode()).as("%s closed", member.peerId()).isNull();
            assertThat(presence(member.take())).isNotEmpty();
        });
    }

    @Test
    void aFullRoomSendsEveryJoinToEveryMember() {
        TestNode fx = node(ChannelRule.Mode.FULL, 0);
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            members.add(Member.join(fx, "m" + i, false));
        }
        members.forEach(member -> member.client().take());
        Member late = Member.join(fx, "late", true);
        for (Member member : members) {
            assertThat(presence(member.client().take())).as("frames of %s", member.client().peerId()).hasSize(1);
        }
        assertThat(late.view()).hasSize(50);
    }

    @Test
    void aCountRoomSendsTheCountOncePerIntervalAndNoPeers() {
        TestNode fx = node(ChannelRule.Mode.COUNT, 0);
        TestNode.Client first = fx.connect("first").subscribe(ROOM);
        assertThat(presence(first.take())).singleElement().satisfies(snapshot -> {
            assertThat(snapshot.path("count").asInt()).isEqualTo(1);
            assertThat(snapshot.path("joined").isEmpty()).isTrue();
        });
        for (int i = 0; i < 20; i++) {
            fx.connect("p" + i).subscribe(ROOM);
        }
        fx.scheduler.advance(INTERVAL);
        fx.settle();
        assertThat(presence(first.take())).singleElement()
                .satisfies(count -> assertThat(count.path("count").asInt()).isEqualTo(21));
        fx.scheduler.advance(INTERVAL);
        fx.settle();
        assertThat(presence(first.take())).as("nothing changed, nothing sent").isEmpty();
        assertThat(fx.hub().members(ROOM)).hasSize(21);
    }
}
