package dev.switchboard.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ShardOrderTest {
    private static final byte[] ROOM = Wire.roomChannel("app", "room");
    private static final byte[] OTHER_ROOM = Wire.roomChannel("app", "other");
    private static final byte[] BOB = Wire.peerChannel("app", "bob");
    private static final String ALICE = "app\0alice";

    private long now = TimeUnit.DAYS.toMicros(20_000);
    private final ShardOrder sender = new ShardOrder("node-a", () -> now);
    private final ShardOrder receiver = new ShardOrder("node-b", () -> now);
    private final List<String> delivered = new ArrayList<>();

    private ShardOrder.Origin send(String from, byte[] channel) {
        return send(from, channel, null);
    }

    private ShardOrder.Origin send(String from, byte[] channel, byte[] feed) {
        now += 1_000;
        return ShardOrder.Origin.parse(sender.send(from, channel, feed, origin -> origin));
    }

    private void arrive(ShardOrder.Origin origin, byte[] channel, String what) {
        receiver.arrived(origin, channel, () -> delivered.add(what));
    }

    @Test
    void aSendThatOvertookItsSendersJoinedWaitsForIt() {
        receiver.subscribed(ROOM);
        receiver.subscribed(BOB);
        ShardOrder.Origin joined = send(ALICE, ROOM);
        ShardOrder.Origin offer = send(ALICE, BOB);
        assertThat(offer.deps()).as("the offer names the joined").isNotEmpty();
        arrive(offer, BOB, "offer"); // its shard was faster
        assertThat(delivered).isEmpty();
        assertThat(receiver.held()).isEqualTo(1);
        arrive(joined, ROOM, "joined");
        assertThat(delivered).containsExactly("joined", "offer");
        assertThat(receiver.held()).isZero();
    }

    @Test
    void laterItemsOfTheSameOriginAndChannelQueueBehindAHeldOne() {
        receiver.subscribed(ROOM);
        receiver.subscribed(BOB);
        ShardOrder.Origin joined = send(ALICE, ROOM);
        ShardOrder.Origin offer = send(ALICE, BOB);
        ShardOrder.Origin fromCarol = send("app\0carol", BOB); // no dependency of its own
        assertThat(fromCarol.deps()).isEmpty();
        arrive(offer, BOB, "offer");
        arrive(fromCarol, BOB, "carol");
        assertThat(delivered).as("carol's comes after alice's on bob's channel").isEmpty();
        arrive(joined, ROOM, "joined");
        assertThat(delivered).containsExactly("joined", "offer", "carol");
    }

    @Test
    void aDependencyThatWillNotComeHoldsNothing() {
        receiver.subscribed(BOB);
        ShardOrder.Origin unseen = send(ALICE, OTHER_ROOM); // the receiver does not subscribe it
        ShardOrder.Origin offer = send(ALICE, BOB);
        arrive(offer, BOB, "offer");
        assertThat(delivered).containsExactly("offer");

        ShardOrder.Origin before = send(ALICE, ROOM);
        now += ShardOrder.SKEW_MICROS + 1_000;
        receiver.subscribed(ROOM); // after that item was sent: it will never reach this node
        ShardOrder.Origin second = send(ALICE, BOB);
        arrive(second, BOB, "second");
        assertThat(delivered).containsExactly("offer", "second");
        assertThat(unseen.ordered()).isTrue();
        assertThat(before.ordered()).isTrue();
    }

    @Test
    void aPatternSubscriberTakesTheFeedCopyBeforeTheSendersNextItem() {
        byte[] feed = Wire.feedChannel("app");
        receiver.subscribed(feed); // a pattern room of the app here, the room itself not
        receiver.subscribed(BOB);
        ShardOrder.Origin publication = send(ALICE, ROOM, feed);
        ShardOrder.Origin offer = send(ALICE, BOB);
        arrive(offer, BOB, "offer");
        assertThat(delivered).isEmpty();
        arrive(publication, feed, "publication");
        assertThat(delivered).containsExactly("publication", "offer");
        assertThat(send(ALICE, ROOM).deps()).as("the feed is a channel of its own")
                .contains(Long.toHexString(ShardOrder.hash(feed)) + ":");
    }

    @Test
    void aSubscriptionWithinTheClockSkewOfADependencyWaitsForIt() {
        receiver.subscribed(BOB);
        ShardOrder.Origin joined = send(ALICE, ROOM);
        now += ShardOrder.SKEW_MICROS - 1_000; // the receiver's clock may be this far ahead of the sender's
        receiver.subscribed(ROOM);
        ShardOrder.Origin offer = send(ALICE, BOB);
        arrive(offer, BOB, "offer");
        assertThat(delivered).as("the joined may still come").isEmpty();
        arrive(joined, ROOM, "joined");
        assertThat(delivered).containsExactly("joined", "offer");
    }

    @Test
    void aHeldItemGoesWhenItsTimeIsUp() {
        receiver.subscribed(ROOM);
        receiver.subscribed(BOB);
        send(ALICE, ROOM); // lost on the way
        ShardOrder.Origin offer = send(ALICE, BOB);
        arrive(offer, BOB, "offer");
        now += ShardOrder.MAX_HOLD_MICROS - 1;
        receiver.expire();
        assertThat(delivered).as("a microsecond before its time").isEmpty();
        now += 1;
        receiver.expire();
        assertThat(delivered).containsExactly("offer");
    }

    @Test
    void onlyTheSendersOwnRecentItemsAreDependencies() {
        send("app\0carol", ROOM);
        assertThat(send(ALICE, BOB).deps()).as("carol's item is not alice's").isEmpty();
        send(ALICE, ROOM);
        assertThat(send(ALICE, BOB).deps()).contains(Long.toHexString(ShardOrder.hash(ROOM)) + ":");
        now += ShardOrder.WINDOW_MICROS + 1;
        assertThat(send(ALICE, BOB).deps()).as("older than the window").isEmpty();
        assertThat(ShardOrder.Origin.parse("node-a").ordered()).as("an unordered origin field").isFalse();
    }
}
