package dev.switchboard.core;

import static dev.switchboard.core.Frames.ack;
import static dev.switchboard.core.Frames.direct;
import static dev.switchboard.core.Frames.message;
import static dev.switchboard.core.TestNode.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.auth.AppLimits;
import dev.switchboard.protocol.CloseCode;
import dev.switchboard.protocol.Limits;
import dev.switchboard.protocol.RawJson;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** protocol.md §4.3, §4.4, §6.4, §8, §13: publish, send, wildcard routing, size and quota. */
class PublishTest {
    private final TestNode fx = new TestNode();

    private static List<String> messages(List<String> frames) {
        return frames.stream().filter(f -> !TestNode.type(f).equals("presence")).toList();
    }

    @Test
    void publishReachesOtherSubscribersButIsNeverEchoedToTheSendingConnection() {
        var tab1 = fx.connect("alice").subscribe("room");
        var tab2 = fx.connect("alice").subscribe("room");
        var bob = fx.connect("bob").subscribe("room");
        var outsider = fx.connect("carol");

        tab1.publish("room", "{\"t\":\"hi\"}", "p1");

        assertThat(messages(tab1.take())).containsExactly(ack("p1"));
        assertThat(messages(tab2.take())).containsExactly(message("room", "alice", "{\"t\":\"hi\"}"));
        assertThat(messages(bob.take())).containsExactly(message("room", "alice", "{\"t\":\"hi\"}"));
        assertThat(outsider.take()).isEmpty();
    }

    @Test
    void publisherNeedNotBeSubscribedAndDeliveriesAreEnqueuedBeforeTheAck() {
        var bob = fx.connect("bob").subscribe("room");
        var alice = fx.connect("alice");
        bob.take();
        List<String> journal = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        bob.transport.journal = journal;
        alice.transport.journal = journal;

        alice.publish("room", "null", "p");

        assertThat(journal).containsExactly(bob.transport.name, alice.transport.name);
        assertThat(bob.take()).containsExactly(message("room", "alice", "null"));
    }

    @Test
    void fromMetadataVariantsAreEncodedOnceAndShared() {
        var sender = fx.connectWithMetadata("alice", "{\"name\":\"A\"}");
        List<TestNode.Client> plain = List.of(fx.connect("p1"), fx.connect("p2"), fx.connect("p3"));
        List<TestNode.Client> rich = List.of(fx.connect("r1"), fx.connect("r2"));
        plain.forEach(c -> c.subscribe("room"));
        rich.forEach(c -> c.send("{\"type\":\"subscribe\",\"channel\":\"room\",\"includeSenderMetadata\":true}"));
        plain.forEach(TestNode.Client::take);
        rich.forEach(TestNode.Client::take);

        sender.publish("room", "[1,2]");

        byte[] plainFrame = last(plain.getFirst());
        byte[] richFrame = last(rich.getFirst());
        assertThat(new String(plainFrame)).isEqualTo(message("room", "alice", "[1,2]"));
        assertThat(new String(richFrame)).isEqualTo(message("room", "alice", "[1,2]", "{\"name\":\"A\"}"));
        plain.forEach(c -> assertThat(last(c)).isSameAs(plainFrame));
        rich.forEach(c -> assertThat(last(c)).isSameAs(richFrame));
    }

    @Test
    void includeSenderMetadataWithoutSenderMetadataDeliversThePlainFrame() {
        var sender = fx.connect("alice");
        var bob = fx.connect("bob").send("{\"type\":\"subscribe\",\"channel\":\"room\",\"includeSenderMetadata\":true}");
        bob.take();
        sender.publish("room", "1");
        assertThat(bob.take()).containsExactly(message("room", "alice", "1"));
    }

    private static byte[] last(TestNode.Client c) {
        List<byte[]> all = c.transport.writtenBytes();
        return all.getLast();
    }

    @Test
    void wildcardSubscriberReceivesTheConcreteChannelOnceWithMetadataIfAnyMatchingSubscriptionAskedForIt() {
        var sender = fx.connectWithMetadata("alice", "{\"m\":1}");
        var bob = fx.connect("bob").subscribe("devices/d1/events");
        bob.send("{\"type\":\"subscribe\",\"channel\":\"devices/*/events\",\"includeSenderMetadata\":true}");
        bob.subscribe("devices/**");
        var exactOnly = fx.connect("carol").subscribe("devices/d1/events");
        bob.take();
        exactOnly.take();

        sender.publish("devices/d1/events", "7");
        sender.publish("devices/d2/events", "8");
        sender.publish("other/d1/events", "9");

        assertThat(bob.take()).containsExactly(
                message("devices/d1/events", "alice", "7", "{\"m\":1}"),
                message("devices/d2/events", "alice", "8", "{\"m\":1}"));
        assertThat(exactOnly.take()).containsExactly(message("devices/d1/events", "alice", "7"));
    }

    @Test
    void patternSubscriptionIsNotEchoedToItsOwnPublisher() {
        var alice = fx.connect("alice").subscribe("x/*");
        alice.take();
        alice.publish("x/1", "1", "p");
        assertThat(alice.take()).containsExactly(ack("p"));
    }

    @Test
    void patternRoutingReauthorisesEachConcreteChannelForTheSubscriber() {
        // Token channels allow the literal subscription string "x/*" and the concrete channel "x/a" only.
        var narrowed = fx.connectToken(fx.token("bob", List.of("x/\\*", "x/a"), null, null));
        narrowed.subscribe("x/*", "s");
        assertThat(narrowed.take()).containsExactly(ack("s"), Frames.joined("x/*"));
        var publisher = fx.connect("alice");

        publisher.publish("x/b", "1");
        publisher.publish("x/a", "2");

        assertThat(narrowed.take()).containsExactly(message("x/a", "alice", "2"));
    }

    @Test
    void wildcardInAPublishIsALiteralCharacter() {
        var exact = fx.connect("bob").subscribe("x/1");
        var literal = fx.connect("carol").subscribe("x/*");
        exact.take();
        literal.take();
        fx.connect("alice").publish("x/*", "0");
        assertThat(exact.take()).isEmpty();
        assertThat(literal.take()).containsExactly(message("x/*", "alice", "0"));
    }

    @Test
    void backendPublishReachesEverySubscriberAndCountsAgainstTheQuota() {
        var bob = fx.connect("bob").subscribe("room");
        bob.take();
        var delivery = fx.node.publish(TestNode.APP, "room", "backend", RawJson.of("1"), null).toCompletableFuture()
                .join();
        fx.settle();
        assertThat(delivery.delivered()).isEqualTo(1);
        assertThat(bob.take()).containsExactly(message("room", "backend", "1"));
        assertThat(fx.node.usage(TestNode.APP).messagesUsed()).isEqualTo(1);
    }

    @Test
    void sendDeliversDirectToEveryOtherConnectionOfThePeerThenAcks() {
        var alice1 = fx.connect("alice");
        var alice2 = fx.connect("alice");
        var bob = fx.connect("bob");

        bob.direct("alice", "{\"sdp\":1}", "d1");
        alice1.direct("alice", "2", "d2");

        assertThat(bob.take()).containsExactly(ack("d1"));
        assertThat(alice1.take()).containsExactly(direct("bob", "{\"sdp\":1}"), ack("d2"));
        assertThat(alice2.take()).containsExactly(direct("bob", "{\"sdp\":1}"), direct("alice", "2"));
    }

    @Test
    void sendAlwaysCarriesSenderMetadata() {
        var alice = fx.connectWithMetadata("alice", "{\"a\":true}");
        var bob = fx.connect("bob");
        alice.direct("bob", "1", "d");
        assertThat(bob.take()).containsExactly(
                "{\"type\":\"direct\",\"from\":\"alice\",\"data\":1,\"fromMetadata\":{\"a\":true}}");
    }

    @Test
    void sendToOnlyYourselfOrAnAbsentPeerOrAnotherAppsPeerAnswersPeerNotFound() {
        var alice = fx.connect("alice");
        var stranger = fx.open(null, TestNode.OTHER_PUBLISHABLE_KEY, new RecordingTransport());

        alice.direct("alice", "1", "self").direct("nobody", "1", "absent").direct(stranger.peerId(), "1", "app");

        assertThat(alice.take()).extracting(TestNode::errorCode)
                .containsExactly("peer_not_found", "peer_not_found", "peer_not_found");
        assertThat(stranger.take()).isEmpty();
    }

    @Test
    void quotaRefusalsCountAsAttemptsAndLeaveTheConnectionOpen() {
        TestNode limited = new TestNode(new AppLimits(null, 2L));
        var alice = limited.connect("alice");
        var bob = limited.connect("bob").subscribe("room");
        bob.take();

        alice.publish("room", "1", "p1").direct("bob", "2", "d1").publish("room", "3", "p2").direct("bob", "4", "d2");

        assertThat(alice.take()).satisfiesExactly(
                f -> assertThat(f).isEqualTo(ack("p1")),
                f -> assertThat(f).isEqualTo(ack("d1")),
                f -> assertThat(errorCode(f)).isEqualTo("over_message_quota"),
                f -> assertThat(errorCode(f)).isEqualTo("over_message_quota"));
        assertThat(alice.closeCode()).isNull();
        assertThat(limited.node.usage(TestNode.APP).messagesUsed()).isEqualTo(4);
        assertThat(limited.node.publish(TestNode.APP, "room", "srv", RawJson.of("5"), null).toCompletableFuture().join()
                .overQuota()).isTrue();
        // Receiving continues when the quota is exhausted (§8.6).
        limited.node.kick(TestNode.APP, "nobody");
        alice.subscribe("room");
        assertThat(bob.take()).containsExactly(message("room", "alice", "1"), direct("alice", "2"),
                Frames.joined("room", "alice"));
    }

    @Test
    void dataOfExactlyMaxMessageSizeIsAcceptedAndOneByteMoreClosesWith1009() {
        int max = 100;
        TestNode small = new TestNode(new NodeSettings(max, 200, 100, 8 << 20, Duration.ofSeconds(30),
                Duration.ofSeconds(10), Duration.ofSeconds(1)));
        var alice = small.connect("alice");
        String atLimit = "\"" + "x".repeat(max - 2) + "\"";
        alice.publish("room", atLimit, "ok").direct("alice", atLimit, "self");
        assertThat(alice.take()).first().isEqualTo(ack("ok"));

        alice.publish("room", "\"" + "x".repeat(max - 1) + "\"", "big");
        assertThat(alice.closeCode()).isEqualTo(CloseCode.MESSAGE_TOO_BIG.code());
        assertThat(alice.take()).noneMatch(f -> f.contains("big"));
    }

    @Test
    void sendWithOversizedDataClosesWith1009() {
        int max = 100;
        TestNode small = new TestNode(new NodeSettings(max, 200, 100, 8 << 20, Duration.ofSeconds(30),
                Duration.ofSeconds(10), Duration.ofSeconds(1)));
        var alice = small.connect("alice");
        small.connect("bob");
        alice.direct("bob", "\"" + "x".repeat(max) + "\"", "d");
        assertThat(alice.closeCode()).isEqualTo(1009);
    }

    @Test
    void frameLongerThanMaxMessageSizePlusEnvelopeClosesWith1009() {
        var alice = fx.connect("alice");
        var bob = fx.connect("bob").subscribe("room");
        bob.take();
        String pad = " ".repeat(Limits.maxFrameBytes(Limits.MAX_MESSAGE_SIZE));
        alice.send("{\"type\":\"publish\",\"channel\":\"room\",\"data\":1}" + pad);
        assertThat(alice.closeCode()).isEqualTo(1009);
        assertThat(bob.take()).isEmpty();
    }
}
