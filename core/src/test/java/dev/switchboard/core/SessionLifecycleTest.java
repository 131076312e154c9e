package dev.switchboard.core;

import static dev.switchboard.core.Frames.ack;
import static dev.switchboard.core.Frames.left;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.auth.AppLimits;
import dev.switchboard.protocol.CloseCode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** protocol.md §2.2, §2.3, §9.2, §10, §11, §12, §13.2: admission, rate, expiry, kick, drain, keepalive, release. */
class SessionLifecycleTest {
    private final TestNode fx = new TestNode();

    @Test
    void welcomeIsTheFirstFrameEvenWhenADirectRacesTheAdmission() {
        var bob = fx.connect("bob");
        RecordingTransport transport = new RecordingTransport();
        // While alice's welcome is being enqueued, bob sends to alice (another I/O thread in production).
        transport.onPendingBytes = () -> bob.session.onText(
                "{\"type\":\"send\",\"to\":\"alice\",\"data\":1}".getBytes());
        Node.Opening opening = fx.node.open(fx.token("alice", null, null, null), null, null, transport);
        assertThat(opening).isInstanceOf(Node.Opening.Opened.class);
        transport.runPending();
        assertThat(transport.written()).isNotEmpty();
        assertThat(TestNode.type(transport.written().getFirst())).isEqualTo("welcome");
    }

    @Test
    void the201stFrameOfABurstClosesWith4011() {
        var alice = fx.connect("alice");
        for (int i = 0; i < 200; i++) {
            alice.send("{\"type\":\"unsubscribe\",\"channel\":\"c\"}");
        }
        assertThat(alice.closeCode()).isNull();
        alice.send("{\"type\":\"unsubscribe\",\"channel\":\"c\",\"requestId\":\"late\"}");
        assertThat(alice.closeCode()).isEqualTo(CloseCode.OVER_MESSAGE_RATE.code());
        assertThat(alice.take()).doesNotContain(ack("late"));
    }

    @Test
    void pingsAreFreeAndAlwaysAnsweredWithPong() {
        var alice = fx.connect("alice");
        for (int i = 0; i < 500; i++) {
            alice.send("{\"type\":\"ping\"}");
        }
        for (int i = 0; i < 200; i++) {
            alice.send("{\"type\":\"unsubscribe\",\"channel\":\"c\"}");
        }
        assertThat(alice.closeCode()).isNull();
        assertThat(alice.take()).hasSize(500).allMatch(f -> f.equals("{\"type\":\"pong\"}"));
    }

    @Test
    void malformedAndBinaryFramesCostATokenAndKeepTheConnectionOpen() {
        var alice = fx.connect("alice");
        for (int i = 0; i < 100; i++) {
            alice.send("not json");
            alice.session.onBinary();
        }
        fx.settle();
        assertThat(alice.take()).hasSize(200).allMatch(f -> TestNode.errorCode(f).equals("malformed_message"));
        assertThat(alice.closeCode()).isNull();
        alice.send("{\"type\":\"bogus\"}");
        assertThat(alice.closeCode()).isEqualTo(4011);
    }

    @Test
    void theBucketRefillsAtTheConfiguredRate() {
        var alice = fx.connect("alice");
        for (int i = 0; i < 200; i++) {
            alice.send("{\"type\":\"unsubscribe\",\"channel\":\"c\"}");
        }
        fx.clock.advance(Duration.ofSeconds(1));
        for (int i = 0; i < 100; i++) {
            alice.send("{\"type\":\"unsubscribe\",\"channel\":\"c\"}");
        }
        assertThat(alice.closeCode()).isNull();
        alice.send("{\"type\":\"unsubscribe\",\"channel\":\"c\"}");
        assertThat(alice.closeCode()).isEqualTo(4011);
    }

    @Test
    void tokenExpiryClosesWith4002At250MillisecondsBeforeExpAndAnnouncesLeft() {
        var bob = fx.connect("bob").subscribe("room");
        long exp = fx.clock.epochSeconds() + 10;
        var alice = fx.connectToken(fx.token("alice", exp, null, null, null)).subscribe("room");
        bob.take();

        fx.scheduler.advance(Duration.ofMillis(10_000 - 250 - 1));
        fx.settle();
        assertThat(alice.closeCode()).isNull();
        fx.scheduler.advance(Duration.ofMillis(1));
        fx.settle();
        assertThat(alice.closeCode()).isEqualTo(CloseCode.TOKEN_EXPIRED.code());
        assertThat(bob.take()).containsExactly(left("room", "alice"));
        assertThat(fx.node.connectionCount()).isEqualTo(1);
    }

    @Test
    void closingBeforeExpiryCancelsTheExpiryTimer() {
        var alice = fx.connectToken(fx.token("alice", fx.clock.epochSeconds() + 10, null, null, null));
        long before = fx.scheduler.pending();
        alice.session.onTransportClosed();
        assertThat(fx.scheduler.pending()).isEqualTo(before - 1);
    }

    @Test
    void publishableKeySessionsNeverExpire() {
        var anon = fx.open(null, TestNode.PUBLISHABLE_KEY, new RecordingTransport());
        assertThat(anon.transport.written().getFirst()).contains("\"expiresAt\":null");
        fx.scheduler.advance(Duration.ofDays(3));
        fx.settle();
        assertThat(anon.transport.count(RecordingTransport.Close.class)).isZero();
    }

    @Test
    void kickClosesEveryTabOfThePeerWith4020AndAnnouncesLeftOnce() {
        var observer = fx.connect("obs").subscribe("room");
        var tab1 = fx.connect("alice").subscribe("room");
        var tab2 = fx.connect("alice").subscribe("room");
        var bystander = fx.connect("bob").subscribe("room");
        observer.take();

        assertThat(fx.node.kick(TestNode.APP, "alice")).isCompletedWithValue(2);
        fx.settle();

        assertThat(tab1.closeCode()).isEqualTo(4020);
        assertThat(tab2.closeCode()).isEqualTo(4020);
        assertThat(bystander.closeCode()).isNull();
        assertThat(observer.take()).containsExactly(left("room", "alice"));
        assertThat(fx.node.kick(TestNode.APP, "alice")).isCompletedWithValue(0);
        assertThat(fx.node.usage(TestNode.APP).concurrentNow()).isEqualTo(2);
    }

    @Test
    void framesAfterACloseAreIgnored() {
        var alice = fx.connect("alice");
        var bob = fx.connect("bob").subscribe("room");
        bob.take();
        fx.node.kick(TestNode.APP, "alice");
        alice.publish("room", "1", "p");
        fx.settle();
        assertThat(bob.take()).isEmpty();
        assertThat(alice.transport.events()).last().isEqualTo(new RecordingTransport.Close(4020, "admin disconnect"));
    }

    @Test
    void drainSendsGoingAwayThenClosesWith1001AndRefusesNewConnections() {
        var alice = fx.connect("alice");
        var bob = fx.connect("bob");

        fx.node.drain();
        fx.settle();

        for (var c : List.of(alice, bob)) {
            assertThat(c.take()).containsExactly("{\"type\":\"going_away\",\"retryAfterMs\":1000}");
            assertThat(c.transport.events()).last().isEqualTo(new RecordingTransport.Close(1001, "server shutting down"));
        }
        assertThat(fx.node.open(fx.token("carol", null, null, null), null, null, new RecordingTransport()))
                .isEqualTo(new Node.Opening.Refused(CloseCode.GOING_AWAY, CloseCode.GOING_AWAY.reason()));
        assertThat(fx.node.connectionCount()).isZero();
    }

    @Test
    void drainLetsNothingButTheCloseFollowGoingAwayNotEvenPresenceOfPeersClosedByTheDrain() {
        // I/O tasks run inline: a peer's release happens while the drain is still walking the other sessions,
        // as it does when connections live on different event loops.
        var alice = fx.open(fx.token("alice", null, null, null), null, new RecordingTransport(Runnable::run))
                .subscribe("room");
        var bob = fx.open(fx.token("bob", null, null, null), null, new RecordingTransport(Runnable::run))
                .subscribe("room");
        fx.settle();
        alice.take();
        bob.take();

        fx.node.drain();
        fx.settle();

        for (var c : List.of(alice, bob)) {
            assertThat(c.take()).containsExactly("{\"type\":\"going_away\",\"retryAfterMs\":1000}");
            assertThat(c.transport.events()).last().isEqualTo(new RecordingTransport.Close(1001, "server shutting down"));
        }
    }

    @Test
    void keepalivePingsEveryIntervalAndKeepsConnectionsThatAnswer() {
        var alice = fx.connect("alice");
        for (int round = 1; round <= 3; round++) {
            fx.scheduler.advance(Duration.ofSeconds(30));
            assertThat(alice.transport.count(RecordingTransport.Ping.class)).isEqualTo(round);
            fx.clock.advance(Duration.ofMillis(5));
            alice.session.onControlFrame(); // the pong
        }
        fx.scheduler.advance(Duration.ofSeconds(15));
        fx.settle();
        assertThat(alice.transport.count(RecordingTransport.Abort.class)).isZero();
    }

    @Test
    void anyInboundFrameAfterThePingCountsAsProofOfLife() {
        var alice = fx.connect("alice");
        fx.scheduler.advance(Duration.ofSeconds(30));
        fx.clock.advance(Duration.ofSeconds(1));
        alice.send("{\"type\":\"ping\"}");
        fx.scheduler.advance(Duration.ofSeconds(15));
        fx.settle();
        assertThat(alice.transport.count(RecordingTransport.Abort.class)).isZero();
    }

    @Test
    void aConnectionSilentForTheGraceAfterAPingIsAbortedAndLeaves() {
        var observer = fx.connect("obs").subscribe("room");
        var alice = fx.connect("alice").subscribe("room");
        observer.take();

        fx.scheduler.advance(Duration.ofSeconds(30));
        observer.session.onControlFrame();
        fx.clock.advance(Duration.ofMillis(1));
        observer.session.onControlFrame();
        fx.scheduler.advance(Duration.ofMillis(9_900));
        fx.settle();
        assertThat(alice.transport.count(RecordingTransport.Abort.class)).isZero();

        fx.scheduler.advance(Duration.ofMillis(200));
        fx.settle();

        assertThat(alice.transport.count(RecordingTransport.Abort.class)).isEqualTo(1);
        assertThat(alice.transport.count(RecordingTransport.Close.class)).as("no close handshake").isZero();
        assertThat(observer.transport.count(RecordingTransport.Abort.class)).isZero();
        assertThat(observer.take()).containsExactly(left("room", "alice"));
        assertThat(fx.node.connectionCount()).isEqualTo(1);
    }

    @Test
    void releaseIsIdempotentAndFreesTheAppsConnectionSlot() {
        TestNode capped = new TestNode(new AppLimits(2, null));
        var alice = capped.connect("alice").subscribe("room");
        var bob = capped.connect("bob").subscribe("room");
        bob.take();
        String token = capped.token("carol", null, null, null);
        assertThat(capped.node.open(token, null, null, new RecordingTransport())).isEqualTo(
                new Node.Opening.Refused(CloseCode.OVER_CONCURRENT_LIMIT, CloseCode.OVER_CONCURRENT_LIMIT.reason()));

        capped.node.kick(TestNode.APP, "alice");
        alice.session.onTransportClosed();
        alice.session.onTransportClosed();
        capped.settle();

        assertThat(bob.take()).containsExactly(left("room", "alice"));
        assertThat(capped.node.usage(TestNode.APP).concurrentNow()).isEqualTo(1);
        capped.connect("carol");
        assertThat(capped.node.open(token, null, null, new RecordingTransport()))
                .isInstanceOf(Node.Opening.Refused.class);
        assertThat(capped.node.usage(TestNode.APP).peakConcurrent()).isEqualTo(2);
        assertThat(capped.node.usage(TestNode.APP).connectionsOpened()).isEqualTo(3);
    }

    @Test
    void aSlowConsumerOverItsOutboxBoundIsClosedWith1008AndOthersKeepReceiving() {
        TestNode fx2 = new TestNode(new NodeSettings(1000, 200, 100, 1000, Duration.ofSeconds(30),
                Duration.ofSeconds(10), Duration.ofSeconds(1)));
        var slow = fx2.connect("slow").subscribe("room");
        var fast = fx2.connect("fast").subscribe("room");
        slow.take();
        fast.take();
        slow.transport.pendingBytes.set(900); // the socket is not draining

        fx2.connect("alice").publish("room", "\"" + "x".repeat(200) + "\"");

        assertThat(slow.closeCode()).isEqualTo(CloseCode.POLICY_VIOLATION.code());
        assertThat(slow.take()).isEmpty();
        assertThat(fast.take()).containsExactly(Frames.message("room", "alice", "\"" + "x".repeat(200) + "\""),
                left("room", "slow"));
        assertThat(fx2.hub().members("room")).extracting(p -> p.peerId()).containsExactly("fast");
    }
}
