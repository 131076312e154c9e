package dev.switchboard.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.RecordingTransport.PauseReads;
import dev.switchboard.core.RecordingTransport.ResumeReads;
import dev.switchboard.core.auth.AppLimits;
import dev.switchboard.protocol.CloseCode;
import dev.switchboard.protocol.Limits;
import dev.switchboard.protocol.RawJson;
import dev.switchboard.protocol.ServerFrames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A publisher stops reading while a recipient's I/O thread is behind on the frames its broadcasts queued, and
 * reads again once that recipient caught up; a reader that is slow on the network never holds it back.
 * Frames are fed straight to the session here, as one socket read hands several to it before the event loop
 * runs any drain.
 */
class PublisherFlowControlTest {
    /** Lifted so hundreds of frames can arrive in one read; the rate limit is not what is tested here. */
    private final TestNode fx = new TestNode(new NodeSettings(Limits.MAX_MESSAGE_SIZE, 100_000, 100_000,
            NodeSettings.DEFAULT_OUTBOX_MAX_BYTES, Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ZERO),
            AppLimits.UNLIMITED, List.of("**"));

    private static byte[] publish(int n, int padding) {
        return ("{\"type\":\"publish\",\"channel\":\"room\",\"data\":" + payload(n, padding) + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The {@code data} of alice's publish number {@code n}. */
    private static String payload(int n, int padding) {
        return "{\"n\":" + n + ",\"pad\":\"" + "x".repeat(padding) + "\"}";
    }

    private static List<String> data(List<String> frames) {
        return frames.stream().filter(f -> TestNode.type(f).equals("message"))
                .map(f -> f.substring(f.indexOf("\"n\":") + 4, f.indexOf(",\"pad\""))).toList();
    }

    private static List<String> numbers(int count) {
        return IntStream.range(0, count).mapToObj(String::valueOf).toList();
    }

    @Test
    void aBroadcastThatLeavesARecipientOverTheHighWaterMarkPausesThePublisherUntilTheRecipientCaughtUp() {
        var bob = fx.connect("bob").subscribe("room");
        var alice = fx.connect("alice");
        bob.take();
        int n = 0;
        long queued = 0;
        while (queued + messageLength(n) <= Outbox.BACKLOG_HIGH_BYTES) {
            queued += messageLength(n);
            alice.session.onText(publish(n++, 300));
        }
        assertThat(bob.session.backlogBytes()).isEqualTo(queued);
        assertThat(alice.transport.count(PauseReads.class)).as("at the high-water mark").isZero();

        alice.session.onText(publish(n++, 300));
        assertThat(alice.transport.count(PauseReads.class)).as("one frame over it").isEqualTo(1);
        alice.session.onText(publish(n++, 300)); // already read from the socket: handled, no second pause
        assertThat(alice.transport.count(PauseReads.class)).isEqualTo(1);

        fx.settle();
        assertThat(alice.transport.events()).filteredOn(e -> e instanceof PauseReads || e instanceof ResumeReads)
                .extracting(e -> e.getClass().getSimpleName()).containsExactly("PauseReads", "ResumeReads");
        assertThat(data(bob.take())).as("nothing accepted is lost").isEqualTo(numbers(n));
    }

    @Test
    void readsResumeAtTheFirstCheckWhenOneDrainPassLeftTheRecipientAtTheLowWaterMark() {
        var bob = fx.connect("bob").subscribe("room");
        var alice = fx.connect("alice");
        bob.take();
        int sent = publishUntilPausedThenRunOneDrainPassAndTheCheck(alice, bob, 0);
        assertThat(alice.transport.count(ResumeReads.class)).isEqualTo(1);

        fx.settle();
        assertThat(data(bob.take())).isEqualTo(numbers(sent));
    }

    @Test
    void oneFrameOverTheLowWaterMarkKeepsThePublisherPausedUntilALaterCheck() {
        var bob = fx.connect("bob").subscribe("room");
        var alice = fx.connect("alice");
        bob.take();
        int sent = publishUntilPausedThenRunOneDrainPassAndTheCheck(alice, bob, 1);
        assertThat(alice.transport.count(ResumeReads.class)).isZero();

        fx.settle();
        assertThat(alice.transport.count(ResumeReads.class)).isEqualTo(1);
        assertThat(data(bob.take())).isEqualTo(numbers(sent));
    }

    /**
     * Alice publishes small frames to bob in one read: a drain pass's worth, then the most that keep what is left
     * after it at or under {@link Outbox#BACKLOG_LOW_BYTES}, plus {@code overLowWaterMark} more. Bob's event loop
     * then runs one drain pass and the resume check queued behind it, and alice's runs what the check queued.
     * Returns how many alice published.
     */
    private static int publishUntilPausedThenRunOneDrainPassAndTheCheck(TestNode.Client alice, TestNode.Client bob,
                                                                        int overLowWaterMark) {
        int n = 0;
        while (n < Outbox.MAX_FRAMES_PER_DRAIN) {
            alice.session.onText(publish(n++, 300));
        }
        long left = 0;
        while (left + messageLength(n) <= Outbox.BACKLOG_LOW_BYTES) {
            left += messageLength(n);
            alice.session.onText(publish(n++, 300));
        }
        for (int i = 0; i < overLowWaterMark; i++) {
            left += messageLength(n);
            alice.session.onText(publish(n++, 300));
        }
        assertThat(alice.transport.count(PauseReads.class)).isEqualTo(1);

        bob.transport.runOne(); // the drain: one pass, then it queues itself again behind the resume check
        assertThat(bob.session.backlogBytes()).isEqualTo(left);
        bob.transport.runOne(); // the resume check
        alice.transport.runPending();
        return n;
    }

    /** The bytes of the {@code message} frame bob gets for alice's publish number {@code n}. */
    private static int messageLength(int n) {
        return ServerFrames.message("room", "alice", RawJson.of(payload(n, 300)), null).length;
    }

    @Test
    void aReaderThatIsSlowOnTheNetworkNeverPausesThePublisher() {
        var bob = fx.connect("bob").subscribe("room");
        var alice = fx.connect("alice");
        bob.take();
        bob.transport.writable = false; // bob's socket is full: his outbox parks
        alice.send(new String(publish(0, 0), StandardCharsets.UTF_8)); // bob's drain runs and parks

        for (int n = 1; n <= 20; n++) {
            alice.session.onText(publish(n, 8 * 1024));
        }
        fx.settle();
        assertThat(alice.transport.count(PauseReads.class)).isZero();

        bob.transport.writable = true;
        bob.session.onWritable();
        fx.settle();
        assertThat(data(bob.take())).isEqualTo(numbers(21));
    }

    @Test
    void aRecipientThatClosesWhileThePublisherIsPausedLetsItReadAgain() {
        var bob = fx.connect("bob").subscribe("room");
        var alice = fx.connect("alice");
        bob.take();
        for (int n = 0; n < 10; n++) {
            alice.session.onText(publish(n, 8 * 1024));
        }
        assertThat(alice.transport.count(PauseReads.class)).isEqualTo(1);

        bob.session.close(CloseCode.GOING_AWAY);
        fx.settle();

        assertThat(alice.transport.count(ResumeReads.class)).isEqualTo(1);
    }
}
