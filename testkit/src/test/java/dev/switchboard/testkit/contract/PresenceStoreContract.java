package dev.switchboard.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.spi.PresenceStore;
import dev.switchboard.core.spi.Publication;
import dev.switchboard.protocol.RawJson;
import org.junit.jupiter.api.Test;

/**
 * What every {@link PresenceStore} must do: keep one entry per (node, peer, room), announce each change to the
 * nodes subscribed to the room with a version that grows, list a room's other-node entries in join order at a
 * version that covers exactly the deltas up to it, and remove a leaving node's entries with a delta each.
 */
public abstract class PresenceStoreContract extends ThreeNodes {

    @Test
    void changesAreAnnouncedToSubscribedNodesWithGrowingVersions() {
        join(b.broker().subscribe(app, "room"));
        a.presence().add(app, "room", "p1", RawJson.of("{\"n\":\"P1\"}"));
        a.presence().add(app, "room", "p1", RawJson.of("{\"n\":\"again\"}")); // one entry per node and peer
        a.presence().remove(app, "room", "p1");
        a.presence().remove(app, "room", "nobody");
        a.presence().add(app, "room", "barrier", null);

        PresenceStore.Delta first = inB.nextDelta();
        assertThat(first.app()).isEqualTo(app);
        assertThat(first.room()).isEqualTo("room");
        assertThat(first.joined()).isTrue();
        assertThat(first.member()).isEqualTo(new PresenceStore.Member(a.nodeId(), "p1", RawJson.of("{\"n\":\"P1\"}")));
        PresenceStore.Delta second = inB.nextDelta();
        assertThat(second.joined()).isFalse();
        assertThat(second.member().node()).isEqualTo(a.nodeId());
        assertThat(second.member().peerId()).isEqualTo("p1");
        assertThat(second.version()).isGreaterThan(first.version());
        PresenceStore.Delta third = inB.nextDelta();
        assertThat(third.member().peerId()).as("nothing for the repeated add or the unknown remove")
                .isEqualTo("barrier");
        assertThat(third.version()).isGreaterThan(second.version());

        c.presence().add(app, "room", "p1", null); // the same peer on another node is an entry of its own
        PresenceStore.Delta fromC = inB.nextDelta();
        assertThat(fromC.member()).isEqualTo(new PresenceStore.Member(c.nodeId(), "p1", null));
        assertThat(fromC.version()).isGreaterThan(third.version());
    }

    @Test
    void aListingHoldsTheOtherNodesEntriesInJoinOrderAtTheVersionOfTheLastChange() {
        join(b.broker().subscribe(app, "room"));
        join(c.broker().subscribe(app, "room"));
        // one change at a time, each seen before the next: nodes' changes are ordered only among themselves
        a.presence().add(app, "room", "p1", null);
        assertThat(inB.nextDelta().member().peerId()).isEqualTo("p1");
        c.presence().add(app, "room", "p2", RawJson.of("[2]"));
        assertThat(inB.nextDelta().member().peerId()).isEqualTo("p2");
        a.presence().add(app, "room", "p3", null);
        assertThat(inB.nextDelta().member().peerId()).isEqualTo("p3");
        b.presence().add(app, "room", "mine", null);
        assertThat(inC.nextDelta().member().peerId()).isEqualTo("p1");
        assertThat(inC.nextDelta().member().peerId()).isEqualTo("p3");
        assertThat(inC.nextDelta().member().peerId()).isEqualTo("mine");
        c.presence().add(app, "elsewhere", "p4", null);

        PresenceStore.Members seenByB = join(b.presence().list(app, "room"));
        assertThat(seenByB.members()).containsExactly(new PresenceStore.Member(a.nodeId(), "p1", null),
                new PresenceStore.Member(c.nodeId(), "p2", RawJson.of("[2]")),
                new PresenceStore.Member(a.nodeId(), "p3", null));
        PresenceStore.Members seenByA = join(a.presence().list(app, "room"));
        assertThat(seenByA.members()).extracting(PresenceStore.Member::peerId).containsExactly("p2", "mine");

        c.presence().remove(app, "room", "p2");
        PresenceStore.Delta after = inB.nextDelta();
        assertThat(after.version()).as("a delta after a listing is newer than it").isGreaterThan(seenByB.version());
        assertThat(join(b.presence().list(app, "nobody-here")).members()).isEmpty();
    }

    @Test
    void aLeavingNodesEntriesAreRemovedWithALeftDeltaEach() {
        join(b.broker().subscribe(app, "room"));
        c.presence().add(app, "room", "p1", null);
        c.presence().add(app, "room", "p2", null);
        assertThat(inB.nextDelta().joined()).isTrue();
        assertThat(inB.nextDelta().joined()).isTrue();
        c.close();
        PresenceStore.Delta left1 = inB.nextDelta();
        PresenceStore.Delta left2 = inB.nextDelta();
        assertThat(left1.joined()).isFalse();
        assertThat(left2.joined()).isFalse();
        assertThat(java.util.List.of(left1.member().peerId(), left2.member().peerId()))
                .containsExactlyInAnyOrder("p1", "p2");
        assertThat(join(b.presence().list(app, "room")).members()).isEmpty();
    }

    @Test
    void deltasTravelWithThePublicationsOfTheirNodeInOrder() {
        join(b.broker().subscribe(app, "room"));
        a.presence().add(app, "room", "p1", null);
        a.broker().publish(new Publication(app, "room", "p1", RawJson.of("1"), null));
        a.presence().remove(app, "room", "p1");
        assertThat(inB.nextArrival()).isEqualTo("joined p1");
        assertThat(inB.nextArrival()).isEqualTo("message p1");
        assertThat(inB.nextArrival()).isEqualTo("left p1");
    }
}
