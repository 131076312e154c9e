package dev.switchboard.testkit;

import static dev.switchboard.testkit.TestServer.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A bounded soak: publishers, healthy subscribers, presence churn, abrupt disconnects, a stalled reader and forged
 * tokens, all at once, for {@code switchboard.soak.seconds} (20 by default in {@code ./switchboard test};
 * {@code ./switchboard soak SECONDS} runs the long form). Afterwards: every message acked to a publisher reached
 * every healthy subscriber in that publisher's order, nothing leaked (connections, presence members, counters),
 * and the heap is back near its baseline after 10,000 abrupt disconnects.
 */
class SoakIT extends ServerTestBase {
    private static final int SECONDS = Integer.getInteger("switchboard.soak.seconds", 20);
    private static final int PUBLISHERS = 4;
    private static final int SUBSCRIBERS = 16;
    private static final int ABRUPT_DISCONNECTS = 10_000;
    private static final String CHANNEL = "soak-room";

    @Override
    protected String config() {
        return TestServer.defaultConfig("connectThrottle: { attempts: 0 }");
    }

    @Test
    void everythingAtOnceLosesNothingAckedAndLeaksNothing() throws Exception {
        List<WsProbe> subscribers = new ArrayList<>();
        for (int i = 0; i < SUBSCRIBERS; i++) {
            WsProbe s = pk(PK_NO_PRESENCE);
            subscribeWithoutPresence(s, CHANNEL);
            subscribers.add(s);
        }
        long heapBaseline = settledHeap();
        AtomicBoolean running = new AtomicBoolean(true);
        long[] lastAcked = new long[PUBLISHERS];
        AtomicInteger forgedRefused = new AtomicInteger();
        AtomicLong churned = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(PUBLISHERS + 3);
        List<Future<?>> work = new ArrayList<>();
        for (int p = 0; p < PUBLISHERS; p++) {
            int id = p;
            work.add(pool.submit(() -> publish(id, running, lastAcked)));
        }
        work.add(pool.submit(() -> churn(running, churned)));
        work.add(pool.submit(() -> forge(running, forgedRefused)));
        work.add(pool.submit(() -> stall(running)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        Map<WsProbe, long[]> seen = new HashMap<>();
        for (WsProbe s : subscribers) {
            seen.put(s, filled(-1));
        }
        while (System.nanoTime() < deadline) {
            for (WsProbe s : subscribers) {
                drain(s, seen.get(s), Duration.ofMillis(5));
            }
        }
        running.set(false);
        for (Future<?> f : work) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();

        for (WsProbe s : subscribers) {
            long[] last = seen.get(s);
            while (!caughtUp(last, lastAcked)) {
                drain(s, last, Duration.ofSeconds(5));
            }
            expectOpenWithNothingPending(s);
        }
        for (long acked : lastAcked) {
            assertThat(acked).as("acks of each publisher").isGreaterThan(10);
        }
        assertThat(forgedRefused.get()).as("forged tokens refused with 4001").isPositive();
        assertThat(churned.get()).as("churned connections").isPositive();

        abruptDisconnects();
        for (WsProbe s : subscribers) {
            s.close();
        }
        awaitNoConnections();
        assertThat(rest("/v1/channels/" + CHANNEL + "/peers").path("peers").isEmpty()).as("no presence member left")
                .isTrue();
        assertThat(rest("/v1/usage").path("concurrentNow").asInt()).isZero();
        assertThat(server.node().outboundQueuedBytes()).isZero();
        long heapAfter = settledHeap();
        assertThat(heapAfter - heapBaseline).as("heap growth after %d abrupt disconnects (baseline %d MB)",
                ABRUPT_DISCONNECTS, heapBaseline >> 20).isLessThan(32L << 20);
    }

    /** Reads what has arrived; checks that each publisher's sequence numbers come in order without a gap. */
    private static void drain(WsProbe s, long[] last, Duration wait) {
        while (true) {
            WsProbe.Event e = s.poll(wait);
            if (e == null) {
                return;
            }
            JsonNode m = WsProbe.parse(e.text());
            assertThat(m.path("type").asString()).as("frame to a healthy subscriber: " + e).isEqualTo("message");
            int pub = m.path("data").path("p").asInt();
            long seq = m.path("data").path("n").asLong();
            assertThat(seq).as("publisher %d: in order, no gap", pub).isEqualTo(last[pub] + 1);
            last[pub] = seq;
            wait = Duration.ZERO;
        }
    }

    private static boolean caughtUp(long[] last, long[] acked) {
        for (int p = 0; p < acked.length; p++) {
            if (last[p] < acked[p]) {
                return false;
            }
        }
        return true;
    }

    private static long[] filled(long value) {
        long[] a = new long[PUBLISHERS];
        java.util.Arrays.fill(a, value);
        return a;
    }

    /** About 40 publishes a second, each awaited: what is acked is what must arrive. */
    private void publish(int id, AtomicBoolean running, long[] lastAcked) {
        WsProbe p = pk(PK_NO_PRESENCE);
        for (long n = 0; running.get(); n++) {
            p.sendFrame("type", "publish", "channel", CHANNEL, "data", WsProbe.object("p", id, "n", n),
                    "requestId", "p" + n);
            expectAck(p, "p" + n);
            lastAcked[id] = n;
            pace(25);
        }
        p.close();
    }

    /** Presence churn: JWT peers join the room and leave, half of them by closing, half by vanishing. */
    private void churn(AtomicBoolean running, AtomicLong churned) {
        for (int i = 0; running.get(); i++) {
            // Not tracked: the test keeps no reference to what it has let go of, so the heap check sees the server.
            WsProbe peer = WsProbe.connect(server, server.tokenFor(sub("churn")).peerMetadata("{\"i\":" + i + "}")
                    .query());
            peer.awaitWelcome();
            subscribe(peer, CHANNEL);
            if (i % 2 == 0) {
                peer.close();
            } else {
                peer.abort();
            }
            churned.incrementAndGet();
        }
    }

    private void forge(AtomicBoolean running, AtomicInteger refused) {
        while (running.get()) {
            String token = server.token("mallory");
            String forged = token.substring(0, token.length() - 3) + (token.endsWith("AAA") ? "BBB" : "AAA");
            WsProbe probe = WsProbe.connect(server, tokenQuery(forged)); // not tracked, as above
            probe.expectClose(4001);
            probe.abort();
            refused.incrementAndGet();
            pace(20);
        }
    }

    /** A subscriber that never reads; closed 1008 once its backlog passes the bound, or at the end. */
    private void stall(AtomicBoolean running) {
        RawWebSocket stalled = track(RawWebSocket.open(server.port(), "/v1?" + keyQuery(PK_NO_PRESENCE), Map.of(), 4096));
        stalled.sendText("{\"type\":\"subscribe\",\"channel\":\"" + CHANNEL + "\"}");
        while (running.get()) {
            pace(50);
        }
        stalled.close();
    }

    private void abruptDisconnects() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            done.add(pool.submit(() -> {
                for (int i = 0; i < ABRUPT_DISCONNECTS / 8; i++) {
                    RawWebSocket ws = RawWebSocket.open(server.port(), "/v1?" + keyQuery(PK_ALL), Map.of());
                    ws.readFrame(Duration.ofSeconds(5)); // the welcome: admitted
                    ws.close(); // a reset-free vanish: no close frame
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
    }

    private void awaitNoConnections() {
        org.awaitility.Awaitility.await("no connection left").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(20)).until(() -> server.node().connectionCount(), n -> n == 0);
    }

    private JsonNode rest(String path) throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Authorization", "Bearer " + SK_ALL + ":" + SK_ALL_SECRET).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return WsProbe.parse(answer.body());
    }

    /** Live heap: what the heap pools held right after a full collection (the least of a few). */
    private static long settledHeap() {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            long live = 0;
            for (var pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == java.lang.management.MemoryType.HEAP && pool.getCollectionUsage() != null) {
                    live += pool.getCollectionUsage().getUsed();
                }
            }
            least = Math.min(least, live);
        }
        return least;
    }

    /** Load shaping for the generators (not synchronisation: the assertions wait on frames). */
    private static void pace(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
