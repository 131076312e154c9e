package dev.switchboard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.core.auth.AppLimits;
import dev.switchboard.protocol.ServerFrames.PresencePeer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Many connections, each on its own I/O thread, subscribing, publishing and unsubscribing on one room at once.
 * Checked from every connection's own frame stream: presence joined/left strictly alternate per peer relative to
 * the snapshot, no message or presence of the room follows an unsubscribe ack (§7.4), and the room's refcounts
 * end consistent (members = distinct peers; the room freed when empty).
 */
class HubConcurrencyTest {
    private static final String ROOM = "room";
    private static final Pattern PEER = Pattern.compile("\"peerId\":\"([^\"]+)\"");

    private record Conn(Session session, RecordingTransport transport, ExecutorService io) {
        void feed(String json) {
            io.execute(() -> session.onText(json.getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void concurrentChurnKeepsPresenceAndUnsubscribeOrderingInvariants() throws Exception {
        TestNode fx = new TestNode(new NodeSettings(65_536, 10_000_000, 1e6, 1L << 30, Duration.ofSeconds(30),
                Duration.ofSeconds(10), Duration.ofSeconds(1)), AppLimits.UNLIMITED, List.of("**"));
        int peers = 5;
        int tabs = 2;
        int rounds = 300;
        List<Conn> conns = new ArrayList<>();
        for (int p = 0; p < peers; p++) {
            for (int t = 0; t < tabs; t++) {
                ExecutorService io = Executors.newSingleThreadExecutor();
                RecordingTransport transport = new RecordingTransport(io);
                var opening = fx.node.open(fx.token("peer" + p, null, null, null), null, null, transport);
                conns.add(new Conn(((Node.Opening.Opened) opening).session(), transport, io));
            }
        }
        try {
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < conns.size(); i++) {
                    Conn c = conns.get(i);
                    c.feed("{\"type\":\"subscribe\",\"channel\":\"room\",\"requestId\":\"s" + r + "\"}");
                    c.feed("{\"type\":\"publish\",\"channel\":\"room\",\"data\":" + r + ",\"requestId\":\"p" + r + "\"}");
                    if ((r + i) % 3 != 0) {
                        c.feed("{\"type\":\"unsubscribe\",\"channel\":\"room\",\"requestId\":\"u" + r + "\"}");
                    }
                }
            }
            for (Conn c : conns) {
                c.feed("{\"type\":\"unsubscribe\",\"channel\":\"room\",\"requestId\":\"final\"}");
            }
            for (Conn c : conns) {
                await().atMost(Duration.ofSeconds(30)).until(() -> c.transport.written().contains(
                        "{\"type\":\"ack\",\"requestId\":\"final\"}"));
            }

            for (Conn c : conns) {
                check(c.session.peerId(), c.transport.written());
            }
            assertThat(fx.hub().roomCount()).isZero();
            assertThat(fx.hub().members(ROOM)).isNull();

            // Everybody back in: exactly one member per distinct peerId, whatever the churn did to the counts.
            for (Conn c : conns) {
                c.feed("{\"type\":\"subscribe\",\"channel\":\"room\",\"requestId\":\"back\"}");
            }
            for (Conn c : conns) {
                await().atMost(Duration.ofSeconds(10)).until(() -> c.transport.written().contains(
                        "{\"type\":\"ack\",\"requestId\":\"back\"}"));
            }
            assertThat(fx.hub().members(ROOM)).extracting(PresencePeer::peerId)
                    .containsExactlyInAnyOrder("peer0", "peer1", "peer2", "peer3", "peer4");
            for (int i = 0; i < conns.size(); i += tabs) {
                Conn c = conns.get(i);
                c.io.submit(() -> c.session.onTransportClosed()).get(5, TimeUnit.SECONDS);
            }
            assertThat(fx.hub().members(ROOM)).hasSize(peers).as("the second tab keeps each peer a member");
            for (int i = 1; i < conns.size(); i += tabs) {
                Conn c = conns.get(i);
                c.io.submit(() -> c.session.onTransportClosed()).get(5, TimeUnit.SECONDS);
            }
            assertThat(fx.hub().roomCount()).isZero();
            assertThat(fx.node.connectionCount()).isZero();
        } finally {
            conns.forEach(c -> c.io.shutdownNow());
        }
    }

    /** Replays one connection's frames and asserts the ordering invariants. */
    private static void check(String self, List<String> frames) {
        boolean subscribed = false;
        boolean expectSnapshot = false;
        Set<String> members = new HashSet<>();
        for (int i = 0; i < frames.size(); i++) {
            String f = frames.get(i);
            String where = self + " frame " + i + ": " + f;
            String type = TestNode.type(f);
            switch (type) {
                case "ack" -> {
                    if (f.contains("\"requestId\":\"s") || f.contains("\"requestId\":\"back\"")) {
                        subscribed = true;
                        expectSnapshot = true;
                    } else if (f.contains("\"requestId\":\"u") || f.contains("\"requestId\":\"final\"")) {
                        subscribed = false;
                        members.clear();
                    }
                }
                case "presence" -> {
                    assertThat(subscribed).as("presence after unsubscribe ack, " + where).isTrue();
                    int leftAt = f.indexOf("\"left\":[");
                    List<String> joined = peers(f.substring(0, leftAt));
                    List<String> left = peers(f.substring(leftAt));
                    assertThat(joined).as(where).doesNotContain(self);
                    assertThat(left).as(where).doesNotContain(self);
                    if (expectSnapshot) {
                        assertThat(left).as("snapshot, " + where).isEmpty();
                        members.clear();
                        members.addAll(joined);
                        assertThat(new HashSet<>(joined)).as("each member once, " + where).hasSize(joined.size());
                        expectSnapshot = false;
                    } else {
                        for (String p : joined) {
                            assertThat(members.add(p)).as("joined twice without left, " + where).isTrue();
                        }
                        for (String p : left) {
                            assertThat(members.remove(p)).as("left without joined, " + where).isTrue();
                        }
                    }
                }
                case "message" -> {
                    assertThat(subscribed).as("message after unsubscribe ack, " + where).isTrue();
                    assertThat(expectSnapshot).as("message between ack and snapshot, " + where).isFalse();
                }
                case "welcome" -> assertThat(i).isZero();
                default -> throw new AssertionError("unexpected " + where);
            }
        }
    }

    private static List<String> peers(String part) {
        List<String> out = new ArrayList<>();
        Matcher m = PEER.matcher(part);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
